// Browser history that means something (see history.py). Streamlit pushes a history entry for
// every address the server sends: a corrected or expanded link, and, when the user leaves a
// page, that page's address stripped of its settings, a view nobody saw. Here an address
// for the page already shown replaces the current entry instead, and when a new page follows
// at once, the entry being left gets back the address the user last saw on it. A fresh tab's
// first run holds its corrected address back until this reports itself installed.
//
// A fast double Forward can bring a new document to an entry of the page before it while
// Streamlit boots: Streamlit then runs the second entry's page with the first's query (it reads
// the query when the document loads and the path later), and would write that mix over the
// entry. The guard's first call sees it (the run's query is the document's, the address shows
// another page and query) and reloads the entry's own address instead, not twice in a row.

const RELOADED_KEY = "initlab-boot-reload";

const LEAVING_WINDOW_MS = 2000;
const MAX_RETOLD = 3;

export default function ({ data, setStateValue }) {
  if (!window.initlabHistory && bootedOnAnotherAddress(data?.query ?? "") && reloadOnce()) return;
  guardHistory();
  if (data?.waiting) setStateValue("installed", true);
}

function guardHistory() {
  if (window.initlabHistory) return;
  window.initlabHistory = true;
  remember(null); // a reload asked for is done, or declined
  document.addEventListener("click", keepLinkInThisTab, true);
  const push = history.pushState.bind(history);
  const replace = history.replaceState.bind(history);
  let replaced = null; // { url, at }: the address a same-page push replaced, and when
  let traversed = -Infinity; // when Back or Forward last moved, until the user opens a page
  let retold = 0; // how often Streamlit was told that move again
  addEventListener("popstate", (event) => event.initlabRetold || ((traversed = performance.now()), (retold = 0)));
  document.addEventListener("click", (event) => event.target.closest?.("a[href]") && (traversed = -Infinity), true);
  history.pushState = (state, title, url) => {
    const target = new URL(url, location.href);
    // Another page's address right after Back or Forward, with no link clicked since: the answer
    // of a run the traversal cut short (a page still starting), not a page the user opened. It
    // makes no entry, and Streamlit, which may have taken that page for the one shown, is told
    // the traversal again so that it shows the page in the address bar. A few times at most: a
    // page that sends Streamlit elsewhere each time (one that does not exist) is let go.
    const late = performance.now() - traversed < LEAVING_WINDOW_MS && retold < MAX_RETOLD;
    if (target.pathname !== location.pathname && late) {
      retold += 1;
      const again = new PopStateEvent("popstate", { state: history.state });
      again.initlabRetold = true;
      setTimeout(() => dispatchEvent(again));
      return;
    }
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

// Streamlit opens every markdown link in a new tab: a student clicking through the training
// lab's experiments got a tab (and a cold start) for each, with no Back to the view before.
// A link to a view of this app opens here; a modified click still opens a new tab.
function keepLinkInThisTab(event) {
  const plain = event.button === 0 && !(event.metaKey || event.ctrlKey || event.shiftKey || event.altKey);
  const link = event.target.closest?.("[data-testid='stMarkdownContainer'] a[href][target='_blank']");
  if (!plain || event.defaultPrevented || !link || new URL(link.href).origin !== location.origin) return;
  event.preventDefault();
  location.assign(link.href);
}

function bootedOnAnotherAddress(runQuery) {
  const loaded = performance.getEntriesByType("navigation")[0];
  if (!loaded) return false;
  const loadedAt = new URL(loaded.name);
  return (
    loadedAt.pathname !== location.pathname &&
    sameQuery(runQuery, loadedAt.search) &&
    !sameQuery(runQuery, location.search)
  );
}

function sameQuery(a, b) {
  const sorted = (q) => [...new URLSearchParams(q).entries()].map(String).sort().join("&");
  return sorted(a) === sorted(b);
}

// Whether the page reloads: not twice in a row for one address (should the mix come again, the
// guard installs on what there is rather than reload forever).
function reloadOnce() {
  if (remembered() === location.href || !remember(location.href)) return false;
  location.reload();
  return true;
}

// Session storage can be refused (an embedding page's privacy settings): then no reload.
function remembered() {
  try {
    return sessionStorage.getItem(RELOADED_KEY);
  } catch {
    return null;
  }
}

function remember(href) {
  try {
    if (href === null) sessionStorage.removeItem(RELOADED_KEY);
    else sessionStorage.setItem(RELOADED_KEY, href);
    return true;
  } catch {
    return false;
  }
}
