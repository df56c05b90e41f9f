// "Tick all" boxes on the enrichment pages: <input type="checkbox" data-check-all="NAME">
// ticks every checkbox named NAME in the same form (also in swapped-in fragments).
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.checkAll) return;
  const form = box.form || document;
  form.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`).forEach((other) => {
    other.checked = box.checked;
  });
});
