// The cadences pages: ask before a form that deletes something is sent.
// (No inline handlers: the CSP forbids them.)

document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
