// The tour's arrow keys and its Previous and Next buttons (see tour.py). Each goes to the step
// widget's own arrows, so the widget, which holds the step in the browser and counts every
// press there at once, stays the step's one owner: sent to the server as a button's click, a
// press made while the page still ran for the step before was lost or counted from that step.
// → and ← are left alone when meant for what has the focus (a slider, a number or text box, a
// select, a radio group) or when they come with a modifier (Alt+← is the browser's Back).

const OWN_ARROWS =
  "input, textarea, select, [contenteditable='true'], [role='slider'], [role='combobox'], " +
  "[role='spinbutton'], [role='listbox'], [role='radiogroup'], [role='tablist'], [role='menu']";
const KEYS = { ArrowRight: "Next", ArrowLeft: "Prev" };
const BUTTONS = { tour_next: "Next", tour_prev: "Prev" };

// The step widget's arrow, "Next" or "Prev" (Streamlit also draws hidden copies to measure them).
function stepArrow(which) {
  return [...document.querySelectorAll(`.st-key-step [data-testid='stPagination${which}']`)].find((b) =>
    b.checkVisibility(),
  );
}

function labelledButton(target) {
  if (!(target instanceof Element)) return null;
  const button = target.closest(".st-key-tour_next button, .st-key-tour_prev button");
  const key = button?.closest(".st-key-tour_next, .st-key-tour_prev");
  return key ? BUTTONS[[...key.classList].find((c) => c.startsWith("st-key-")).slice(7)] : null;
}

export default function () {
  if (window.initlabTourKeys) return;
  window.initlabTourKeys = true;
  // Capturing, before Streamlit's own handler: the button's click becomes the step widget's.
  // Without the widget on screen, the button keeps its own (server-side) action.
  document.addEventListener(
    "click",
    (event) => {
      const which = labelledButton(event.target);
      const arrow = which && stepArrow(which);
      if (!arrow) return;
      event.preventDefault();
      event.stopPropagation();
      if (!arrow.disabled) arrow.click();
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    const which = KEYS[event.key];
    if (!which || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (event.target instanceof Element && event.target.closest(OWN_ARROWS)) return;
    const arrow = stepArrow(which);
    if (!arrow || arrow.disabled) return;
    event.preventDefault();
    arrow.click();
  });
}
