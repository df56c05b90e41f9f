// Draws the reports' plotly figures. Each figure arrives as JSON in a
// <script type="application/json"> made by Django's json_script (no inline code,
// as the CSP requires) and is drawn into the element that names it.

const PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

function drawFigures() {
  if (typeof Plotly === "undefined") return;
  document.querySelectorAll("[data-figure]:not([data-drawn])").forEach((element) => {
    const source = document.getElementById(element.dataset.figure);
    if (!source) return;
    const figure = JSON.parse(source.textContent);
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
