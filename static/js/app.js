// Small behaviours for the whole site. No inline scripts: the CSP forbids them.

function showError(text) {
  const box = document.getElementById("messages");
  if (!box) return;
  const note = document.createElement("div");
  note.className = "message message-error";
  note.textContent = text;
  box.replaceChildren(note);
}

// An error the server explains comes as a small fragment marked data-error (e.g. the
// 503 while the database is busy); its text is shown as it is.
function explainedError(xhr) {
  if (!(xhr.getResponseHeader("Content-Type") || "").startsWith("text/html")) return "";
  const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
  const note = doc.querySelector("[data-error]");
  return note ? note.textContent.trim() : "";
}

// A failed fragment request must say so rather than leave the page silently stale.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  showError(
    explainedError(xhr) || `The server answered ${xhr.status}. Nothing was changed; try again.`,
  );
});
document.addEventListener("htmx:sendError", () => {
  showError("The dashboard could not be reached. Check your connection and try again.");
});
