// The CRM pages: "select all on this page" for a form of ticked rows.
// Event delegation on the document, because htmx replaces the results table.

document.addEventListener("change", (event) => {
  const target = event.target;
  const form = target.closest("form[data-select-form]");
  if (!form) return;
  const boxes = form.querySelectorAll('tbody input[type="checkbox"]');
  const all = form.querySelector("input[data-select-all]");
  if (target.matches("input[data-select-all]")) {
    boxes.forEach((box) => { box.checked = target.checked; });
  } else if (all) {
    const checked = Array.from(boxes).filter((box) => box.checked).length;
    all.checked = checked === boxes.length && checked > 0;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  if (target.matches('input[type="checkbox"]')) {
    // Ticking rows means "these", not "all matching".
    const selected = form.querySelector('input[name="scope"][value="selected"]');
    if (selected) selected.checked = true;
  }
});
