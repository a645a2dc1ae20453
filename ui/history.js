// Browser history that means something (see history.py). Streamlit pushes a history entry for
// every address the server sends: a corrected or expanded link, and, when the user leaves a
// page, that page's address stripped of its settings, a view nobody saw. Here an address
// for the page already shown replaces the current entry instead, and when a new page follows
// at once, the entry being left gets back the address the user last saw on it. A fresh tab's
// first run holds its corrected address back until this reports itself installed.

const LEAVING_WINDOW_MS = 2000;

export default function ({ data, setStateValue }) {
  guardHistory();
  if (data?.waiting) setStateValue("installed", true);
}

function guardHistory() {
  if (window.initlabHistory) return;
  window.initlabHistory = true;
  const push = history.pushState.bind(history);
  const replace = history.replaceState.bind(history);
  let replaced = null; // { url, at }: the address a same-page push replaced, and when
  history.pushState = (state, title, url) => {
    const target = new URL(url, location.href);
    if (target.pathname === location.pathname) {
      replaced = { url: location.href, at: performance.now() };
      replace(state, title, url);
      return;
    }
    if (replaced && performance.now() - replaced.at < LEAVING_WINDOW_MS) {
      replace(history.state, "", replaced.url);
    }
    replaced = null;
    push(state, title, url);
  };
}
