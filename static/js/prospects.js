// The prospects search page: "select all on this page" for the bulk-action form.
// Event delegation on the document, because htmx replaces the results table.

document.addEventListener("change", (event) => {
  const target = event.target;
  const form = target.closest("form[data-bulk-form]");
  if (!form) return;
  const boxes = form.querySelectorAll('input[name="prospect_ids"]');
  const all = form.querySelector("input[data-select-all]");
  if (target.matches("input[data-select-all]")) {
    boxes.forEach((box) => { box.checked = target.checked; });
  } else if (target.matches('input[name="prospect_ids"]') && all) {
    const checked = Array.from(boxes).filter((box) => box.checked).length;
    all.checked = checked === boxes.length && checked > 0;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  if (target.matches('input[name="prospect_ids"], input[data-select-all]')) {
    // Ticking rows means "these", not "all matching".
    const selected = form.querySelector('input[name="scope"][value="selected"]');
    if (selected) selected.checked = true;
  }
});

// Typing already searched (hx-trigger "input changed"). The change event the box
// fires when it loses focus must not reach the filter form and search again: that
// would re-render the results and drop the rows the user is ticking.
document.addEventListener(
  "change",
  (event) => {
    if (event.target.matches("#prospect-search input[type=search]")) event.stopPropagation();
  },
  true,
);
