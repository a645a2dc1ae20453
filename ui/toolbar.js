// The toolbar's browser side (see toolbar.py): copy the address of this view, and download
// one of the page's figures as PNG or SVG with the plotly.js that drew it.

const CHARTS = ".initlab-live-chart, [data-testid='stPlotlyChart'] .js-plotly-plot";
const STREAMLIT_ONLY = ["embed", "embed_options"]; // the frame's settings, not the view's
const DRAWN = "initlab-chart-drawn"; // a live chart has drawn (ui/live_chart.js)

// The view's address: what the address bar holds, without Streamlit's iframe switches.
function viewLink() {
  const url = new URL(window.location.href);
  STREAMLIT_ONLY.forEach((key) => url.searchParams.delete(key));
  return url.href;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // An iframe without clipboard-write permission: the older route still works there.
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}

function charts() {
  return [...document.querySelectorAll(CHARTS)].filter((chart) => chart.querySelector(".main-svg"));
}

function chartTitle(chart, index) {
  const title = chart.querySelector(".gtitle");
  return title?.firstChild?.textContent?.trim() || `Figure ${index + 1}`;
}

function choice(title, value, selected) {
  const option = new Option(title, value, false, selected);
  option.title = title; // the list is narrower than most titles
  return option;
}

// The figure list follows the page: refreshed on every run, as the charts draw, and whenever
// the user reaches for it. It stays in place with one figure or none (no toolbar reflow).
function refreshChoices(select) {
  const found = charts();
  const chosen = select.value;
  const options = found.map((chart, i) => choice(chartTitle(chart, i), String(i), String(i) === chosen));
  select.replaceChildren(...(options.length ? options : [choice("No figure drawn yet", "", true)]));
  select.disabled = found.length < 2;
  nameChosen(select);
}

// The chosen figure's whole title, where the list shows only its start.
function nameChosen(select) {
  select.title = select.selectedOptions[0]?.textContent ?? "";
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
}

// The image's text in a font it can reach. Plotly lays the figure out in the page, where the
// labels are measured in the page's web font (Source Sans), then draws it as an SVG image that
// cannot load web fonts: its text fell back to a wider font and ran past the legend's edge.
// A system font is measured and drawn alike (and is there when the SVG is opened elsewhere).
const EXPORT_FONT = 'Arial, "Liberation Sans", Helvetica, sans-serif';

function exported(chart) {
  const layout = { ...chart.layout, font: { ...chart.layout.font, family: EXPORT_FONT } };
  return { data: chart.data, layout };
}

async function download(format, page, select, say) {
  const found = charts();
  const chart = found[Number(select.value) || 0];
  const plotly = chart?.initlabDrawnBy ?? window.Plotly;
  if (!chart) {
    say("No figure is drawn yet.");
    return;
  }
  if (!plotly) {
    say("This chart cannot be exported here: use the camera button on the chart.");
    return;
  }
  const name = [`initlab-${page}`, found.length > 1 ? slug(chartTitle(chart, found.indexOf(chart))) : ""]
    .filter(Boolean)
    .join("-");
  const { width, height } = chart._fullLayout ?? {};
  try {
    const options = { format, filename: name, width, height, scale: format === "png" ? 2 : 1 };
    await plotly.downloadImage(exported(chart), options);
    say(`Saved ${name}.${format}`);
  } catch {
    say("The image could not be made: try the camera button on the chart.");
  }
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".initlab-toolbar");
  const select = root.querySelector("select");
  const status = root.querySelector(".initlab-toolbar-status");
  root.dataset.page = data.page;
  let timer = 0;
  const say = (text) => {
    status.textContent = text;
    clearTimeout(timer);
    timer = setTimeout(() => (status.textContent = ""), 4000);
  };
  if (!root.initlabWired) {
    root.initlabWired = true;
    root.addEventListener("pointerover", () => refreshChoices(select));
    root.addEventListener("focusin", () => refreshChoices(select));
    select.addEventListener("change", () => nameChosen(select));
    const follow = () => (root.isConnected ? refreshChoices(select) : document.removeEventListener(DRAWN, follow));
    document.addEventListener(DRAWN, follow);
    root.addEventListener("click", async (event) => {
      const action = event.target.closest("button")?.dataset.action;
      if (action === "copy") {
        const link = viewLink();
        say((await copyText(link)) ? "Link copied" : `Copy this link: ${link}`);
      } else if (action === "png" || action === "svg") {
        refreshChoices(select);
        await download(action, root.dataset.page, select, say);
      }
    });
  }
  refreshChoices(select);
  // Live charts announce their draws (above); st.plotly_chart's do not: look again once they have.
  setTimeout(() => refreshChoices(select), 1500);
}
