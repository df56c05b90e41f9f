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

// A date input fires "change" at every keystroke once its value parses (typing
// 08/01/2026 gives year 0002, then 0020, 0202), so its changes are kept from the form;
// the form hears "dates-entered" only when the input is left or Enter is pressed, with a
// complete date. Entering a date by hand means a custom range.
function completeDate(input) {
  return /^[1-9]\d{3}-\d{2}-\d{2}$/.test(input.value);
}

function watchRange() {
  const range = document.getElementById("f-range");
  if (!range) return;
  document.querySelectorAll("[data-custom-range]:not([data-watched])").forEach((input) => {
    input.dataset.watched = "true";
    let entered = input.value;
    const enter = () => {
      if (!completeDate(input) || input.value === entered) return;
      entered = input.value;
      range.value = "custom";
      htmx.trigger(input.form, "dates-entered");
    };
    ["input", "change"].forEach((name) => input.addEventListener(name, (event) => event.stopPropagation()));
    input.addEventListener("blur", enter);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); enter(); }
    });
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
