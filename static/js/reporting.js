// Draws the reports' plotly figures. Each figure arrives as JSON in a
// <script type="application/json"> made by Django's json_script (no inline code,
// as the CSP requires) and is drawn into the element that names it.

const PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

// Plotly draws a subset of HTML in labels, so every string of a figure has its < and >
// escaped (plotly shows &lt; as <), except the line breaks the charts write themselves.
// The server does the same (reporting/charts.py, plotly_text); this holds for any figure.
const PLOTLY_MARKUP = /<(?!br>)|(?<!<br)>/g;
const PLOTLY_ESCAPES = { "<": "&lt;", ">": "&gt;" };

function plotlySafe(value) {
  if (typeof value === "string") return value.replace(PLOTLY_MARKUP, (c) => PLOTLY_ESCAPES[c]);
  if (Array.isArray(value)) return value.map(plotlySafe);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plotlySafe(item)]));
  }
  return value;
}

function drawFigures() {
  if (typeof Plotly === "undefined") return;
  document.querySelectorAll("[data-figure]:not([data-drawn])").forEach((element) => {
    const source = document.getElementById(element.dataset.figure);
    if (!source) return;
    const figure = plotlySafe(JSON.parse(source.textContent));
    Plotly.react(element, figure.data, figure.layout, PLOT_CONFIG);
    element.dataset.drawn = "true";
  });
}

// Picking a date by hand means a custom range; picking a preset clears the dates' meaning.
function watchRange() {
  const range = document.getElementById("f-range");
  if (!range) return;
  document.querySelectorAll("[data-custom-range]").forEach((input) => {
    input.addEventListener("change", () => { range.value = "custom"; });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  drawFigures();
  watchRange();
});

// After htmx swaps the charts (or one section) in, draw what arrived. The swapped-out
// element is gone by now, so every figure not yet drawn is looked for.
document.addEventListener("htmx:afterSettle", () => {
  drawFigures();
  watchRange();
});
