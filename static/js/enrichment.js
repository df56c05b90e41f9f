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

// A domain search's live progress: while the request of the element that starts it (the
// search form, "Search again") runs, its progress partial (data-progress-url) is fetched
// every second into data-progress-target.
document.addEventListener("htmx:beforeRequest", (event) => {
  const starter = event.detail.elt;
  if (!(starter instanceof HTMLElement) || !starter.dataset.progressUrl) return;
  const target = document.getElementById(starter.dataset.progressTarget);
  let running = true;
  let timer = 0;
  const tick = () => {
    if (!running) return;
    window.htmx
      .ajax("GET", starter.dataset.progressUrl, { target, swap: "innerHTML" })
      .finally(() => {
        if (running) timer = window.setTimeout(tick, 1000);
      });
  };
  timer = window.setTimeout(tick, 500);
  starter.addEventListener(
    "htmx:afterRequest",
    () => {
      running = false;
      window.clearTimeout(timer);
      // Once more, for the final figures of the search just answered.
      window.htmx.ajax("GET", starter.dataset.progressUrl, { target, swap: "innerHTML" });
    },
    { once: true },
  );
});
