// Small behaviours for the whole site. No inline scripts: the CSP forbids them.

function showError(text) {
  const box = document.getElementById("messages");
  if (!box) return;
  const note = document.createElement("div");
  note.className = "message message-error";
  note.textContent = text;
  box.replaceChildren(note);
}

// A failed fragment request must say so rather than leave the page silently stale.
document.addEventListener("htmx:responseError", (event) => {
  showError(`The server answered ${event.detail.xhr.status}. Nothing was changed; try again.`);
});
document.addEventListener("htmx:sendError", () => {
  showError("The dashboard could not be reached. Check your connection and try again.");
});
