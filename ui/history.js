// Browser history that means something (see history.py). Streamlit pushes a history entry for
// every address the server sends: a corrected or expanded link, and, when the user leaves a
// page, that page's address stripped of its settings, a view nobody saw. Here an address
// for the page already shown replaces the current entry instead, and when a new page follows
// at once, the entry being left gets back the address the user last saw on it. A fresh tab's
// first run holds its corrected address back until this reports itself installed.
//
// Back and Forward faster than the runs they start: Streamlit answers runs the traversal left
// behind, and starts runs with the page of one entry and the query of another (a component's
// report reruns the page last drawn with the address bar's query). Their addresses would be
// written over the entry or pushed after it. So after a traversal, until a run of the entry's own
// page and query has drawn (or the user acts), another page's address makes no entry, and a
// run of anything else restores the entry's address and tells Streamlit the traversal again.
//
// A fast double Forward can also bring a new document to an entry of the page before it while
// Streamlit boots, before this is installed: Streamlit then runs the second entry's page with
// the first's query. The guard's first call sees it (the run's query is the document's, the
// address shows another page and query) and reloads the entry's own address, not twice in a row.

const RELOADED_KEY = "initlab-boot-reload";

const LEAVING_WINDOW_MS = 2000;
// How often one traversal is told again before the guard lets Streamlit's answer stand: a
// page that sends Streamlit elsewhere each time (one that does not exist) must not loop.
const MAX_RETOLD = 6;

export default function ({ data, setStateValue }) {
  if (!window.initlabHistory && bootedOnAnotherAddress(data?.query ?? "") && reloadOnce()) return;
  guardHistory();
  window.initlabHistory.ran(data ?? {});
  if (data?.waiting) setStateValue("installed", true);
}

function guardHistory() {
  if (window.initlabHistory) return;
  remember(null); // a reload asked for is done, or declined
  document.addEventListener("click", keepLinkInThisTab, true);
  const push = history.pushState.bind(history);
  const replace = history.replaceState.bind(history);
  let replaced = null; // { url, at }: the address a same-page push replaced, and when
  // After Back or Forward: { entry, retold, drawn }, the address moved to, how often Streamlit was
  // told the move again and when a run of that entry drew; until the user acts, or a while after
  // that run (runs queued behind it may still answer for the page left).
  let settling = null;
  const stillSettling = () => {
    if (settling?.drawn !== undefined && performance.now() - settling.drawn > LEAVING_WINDOW_MS) settling = null;
    return settling !== null;
  };
  addEventListener("popstate", (event) => event.initlabRetold || (settling = { entry: location.href, retold: 0 }));
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, () => (settling = null), true);

  const retell = () => {
    if (settling.retold >= MAX_RETOLD) {
      settling = null;
      return;
    }
    settling.retold += 1;
    if (location.href !== settling.entry) replace(history.state, "", settling.entry);
    const again = new PopStateEvent("popstate", { state: history.state });
    again.initlabRetold = true;
    setTimeout(() => dispatchEvent(again));
  };

  // Each run ends by calling this with its page, the query it began with and the one it shows.
  const ran = ({ page = "", pages = [], query = "", shown = "", waiting = false }) => {
    if (!stillSettling() || waiting) return;
    const entry = new URL(settling.entry);
    if (page !== pageOf(entry.pathname, pages) || !sameQuery(query, entry.search)) {
      retell(); // a run the traversal left behind, or a mix of two entries
      return;
    }
    settling.drawn = performance.now();
    const own = entry.pathname + (shown ? `?${shown}` : "") + entry.hash;
    if (location.pathname !== entry.pathname || !sameQuery(location.search, shown)) replace(history.state, "", own);
    settling.entry = new URL(own, location.href).href; // the entry's address, as its page writes it
  };
  window.initlabHistory = { ran };

  history.pushState = (state, title, url) => {
    const target = new URL(url, location.href);
    // Another page's address after Back or Forward, the user having done nothing since: the
    // answer of a run the traversal cut short, not a page the user opened. It makes no entry.
    if (target.pathname !== location.pathname && stillSettling()) {
      retell();
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

// The page an address shows: its last path segment if that is one of the app's pages, else the
// home page ("", also where Streamlit sends a path that is no page).
function pageOf(pathname, pages) {
  const last = pathname.split("/").filter(Boolean).at(-1) ?? "";
  return pages.includes(last) ? last : "";
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
