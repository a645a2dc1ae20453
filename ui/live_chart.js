// The live chart's browser side (see live_chart.py). Streamlit calls the default export
// with each script run's data, and can still call it with a superseded run's data after
// a newer one. Every payload carries the session's epoch and a revision that grows with
// each script run: older data is ignored, draws run one at a time, and a draw that ends
// picks up only the newest figure that arrived meanwhile.

// Three bundles of plotly.js, each drawing more trace types than the one before it: basic
// (1.1 MB), cartesian (1.4 MB) and full (4.8 MB); each figure names the smallest that draws
// it. Shared by every chart on the page: the Plotly of each bundle loaded, and a queue of
// loads, one at a time, so that each bundle's script is fetched once and its Plotly told apart.
const FILES = { basic: "plotly-basic.min.js", cartesian: "plotly-cartesian.min.js", full: "plotly.min.js" };
const ORDER = Object.keys(FILES);
const plotly = (window.initlabPlotly ??= { loaded: {}, queue: Promise.resolve() });

// A loaded Plotly that draws what `bundle` draws: that bundle's own or a larger one.
function loadedFor(bundle) {
  const able = ORDER.slice(ORDER.indexOf(bundle)).reverse();
  return able.map((name) => plotly.loaded[name]).find(Boolean);
}

// The most capable Plotly loaded; one already on the page counts as the full bundle.
function bestPlotly() {
  if (!ORDER.some((name) => plotly.loaded[name]) && window.Plotly) plotly.loaded.full = window.Plotly;
  return loadedFor(ORDER[0]);
}

function fetchBundle(bundle) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL(`app/static/${FILES[bundle]}`, document.baseURI).href;
    script.onload = () => {
      plotly.loaded[bundle] = window.Plotly;
      window.Plotly = bestPlotly();
      resolve(window.Plotly);
    };
    script.onerror = () => reject(new Error("plotly.js did not load"));
    document.head.appendChild(script);
  });
}

function loadPlotly(bundle) {
  const next = plotly.queue.catch(() => {}).then(() => {
    bestPlotly();
    return loadedFor(bundle) ?? fetchBundle(bundle);
  });
  plotly.queue = next;
  return next;
}

// A figure may carry a narrow variant (viz.common.narrow_variant): below `below` pixels of
// chart width it replaces top-level layout keys and trace properties of the wide figure.
function isNarrow(figure, target) {
  const narrow = figure.layout.meta?.narrow;
  return Boolean(narrow) && target.getBoundingClientRect().width < narrow.below;
}

// The figure to draw: the wide one as it is, or with the narrow variant's keys. Plotly writes
// computed ranges into the layout it draws: a figure that can change shape gets a copy, so
// that each shape always starts from its own spec.
function shaped(figure, narrow) {
  const { meta, ...wide } = figure.layout;
  if (!meta?.narrow) return figure;
  const { layout = {}, data = [] } = narrow ? meta.narrow : {};
  return {
    data: figure.data.map((trace, i) => ({ ...trace, ...data[i] })),
    layout: structuredClone({ ...wide, ...layout }),
  };
}

// Plotly's own `responsive` follows the window only; the page's column also changes
// width when the sidebar opens or closes, so the chart watches its own box. Crossing a
// figure's narrow width redraws it in its other shape; otherwise it is only resized.
function followWidth(target) {
  if (target.initlabResize) return;
  let frame = 0;
  target.initlabResize = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      const shown = target.initlabShown;
      if (shown && isNarrow(shown.figure, target) !== target.initlabNarrow) {
        target.initlabPending ??= shown; // a newer figure waiting to be drawn takes the new shape anyway
        drawLatest(target);
      } else if (target.isConnected && target.offsetParent !== null) {
        // Only a displayed chart: a page left behind or a hidden container has no size to take.
        target.initlabDrawnBy?.Plots.resize(target);
      }
    });
  });
  target.initlabResize.observe(target);
}

// The box takes the figure's height before plotly.js has loaded and drawn it: charts drawn
// later (a larger bundle) would otherwise grow from the placeholder's height and push down
// what is already on screen below them.
function reserveHeight(target, figure) {
  const { height } = shaped(figure, isNarrow(figure, target)).layout;
  if (height) target.style.height = `${height}px`;
}

function drawLatest(target) {
  const Plotly = bestPlotly();
  const next = target.initlabPending;
  if (target.initlabDrawing || !next) return;
  target.initlabPending = null;
  target.initlabDrawing = true;
  target.initlabShown = next;
  target.initlabNarrow = isNarrow(next.figure, target);
  const { data, layout } = shaped(next.figure, target.initlabNarrow);
  // Plots.resize sizes the chart to its box: the box must carry the figure's height.
  if (layout.height) target.style.height = `${layout.height}px`;
  // A chart drawn by a smaller bundle is drawn anew once a larger one is on the page.
  if (target.initlabDrawnBy && target.initlabDrawnBy !== Plotly) target.initlabDrawnBy.purge(target);
  target.initlabDrawnBy = Plotly;
  Promise.resolve(Plotly.react(target, data, layout, next.config))
    .catch(() => {})
    .finally(() => {
      target.initlabDrawing = false;
      reportDrawn(target);
      // For the page's toolbar, which lists the figures drawn (ui/toolbar.js).
      target.dispatchEvent(new CustomEvent("initlab-chart-drawn", { bubbles: true, composed: true }));
      drawLatest(target);
    });
}

// A first view's chart tells the page, once, that it is on screen (or could not be drawn):
// the page then draws its controls (ui/first_view.py).
function reportDrawn(target) {
  const report = target.initlabReport;
  target.initlabReport = null;
  report?.("drawn", true);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const target = parentElement.querySelector(".initlab-live-chart");
  const { epoch, revision, figure, config, minWidth, bundle = "full", reportDrawn: report } = data;
  const superseded = target.initlabEpoch === epoch && revision <= target.initlabRevision;
  if (!superseded) {
    target.initlabReport = report ? setTriggerValue : null;
    target.initlabEpoch = epoch;
    target.initlabRevision = revision;
    target.style.minWidth = `${minWidth}px`;
    if (figure !== target.initlabFigure) {
      target.initlabFigure = figure;
      target.initlabPending = { figure: JSON.parse(figure), config };
      reserveHeight(target, target.initlabPending.figure);
      loadPlotly(bundle)
        .then(() => {
          followWidth(target);
          drawLatest(target);
        })
        .catch(() => {
          target.textContent = "The chart library did not load. Reload the page to try again.";
          reportDrawn(target);
        });
    } else if (target.initlabShown && !target.initlabDrawing) {
      reportDrawn(target); // the same figure, already on screen
    }
  }
  // Streamlit calls this both when the chart leaves the page and when a run's data is
  // superseded: only the first may free the chart.
  return () =>
    setTimeout(() => {
      if (target.isConnected) return;
      target.initlabResize?.disconnect();
      target.initlabDrawnBy?.purge(target);
    }, 0);
}
