// The tour's arrow keys (see tour.py): → presses Next and ← Previous, unless the key is meant for
// what has the focus (a slider, a number or text box, a select, a radio group), or comes with a
// modifier (Alt+← is the browser's Back).

const OWN_ARROWS =
  "input, textarea, select, [contenteditable='true'], [role='slider'], [role='combobox'], " +
  "[role='spinbutton'], [role='listbox'], [role='radiogroup'], [role='tablist'], [role='menu']";
const BUTTONS = { ArrowRight: ".st-key-tour_next button", ArrowLeft: ".st-key-tour_prev button" };

export default function () {
  if (window.initlabTourKeys) return;
  window.initlabTourKeys = true;
  document.addEventListener("keydown", (event) => {
    const selector = BUTTONS[event.key];
    if (!selector || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (event.target instanceof Element && event.target.closest(OWN_ARROWS)) return;
    // Streamlit also draws a hidden copy of a button to measure it: press the one shown.
    const button = [...document.querySelectorAll(selector)].find((b) => b.checkVisibility());
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  });
}
