// The command palette (Ctrl-K / Cmd-K) and the keyboard shortcuts. No inline scripts:
// the CSP forbids them. What the palette offers comes from the server (/palette/?q=),
// already checked against the user's role; this file only shows it and moves through it.

(() => {
  const palette = document.getElementById("palette");
  const shortcuts = document.getElementById("shortcuts");
  if (!palette || !shortcuts) return;
  const input = document.getElementById("palette-input");
  const list = document.getElementById("palette-results");
  const empty = document.getElementById("palette-empty");
  const status = document.getElementById("palette-status");
  const endpoint = palette.dataset.url;

  // -- the palette ------------------------------------------------------------

  let entries = [];
  let active = -1;
  let asked = 0; // answers to older requests are dropped when a newer one was sent
  let timer = null;
  let answeredFor = null; // the text the shown results answer

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    if (!options.length) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      return;
    }
    active = (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function render(results) {
    entries = results;
    list.replaceChildren(
      ...results.map((entry, i) => {
        const option = document.createElement("li");
        option.id = `palette-option-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.index = String(i);
        const kind = document.createElement("span");
        kind.className = "palette-kind";
        kind.textContent = entry.kind;
        const label = document.createElement("span");
        label.className = "palette-label";
        label.textContent = entry.label;
        option.append(kind, label);
        if (entry.hint) {
          const hint = document.createElement("span");
          hint.className = "palette-hint";
          hint.textContent = entry.hint;
          option.append(hint);
        }
        return option;
      }),
    );
    empty.hidden = results.length > 0;
    // Said by a screen reader as the list changes: how many lines there are now.
    status.textContent =
      results.length === 1 ? "1 result" : `${results.length || "No"} results`;
    input.setAttribute("aria-expanded", String(results.length > 0));
    highlight(0);
  }

  async function search() {
    const mine = ++asked;
    const typed = input.value;
    const url = `${endpoint}?q=${encodeURIComponent(typed)}`;
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" } });
      if (!answer.ok) throw new Error(String(answer.status));
      const body = await answer.json();
      if (mine === asked) {
        answeredFor = typed;
        render(body.results);
      }
    } catch {
      if (mine === asked) {
        render([]);
        empty.textContent = "The search could not be reached. Try again.";
      }
    }
  }

  function open(entry) {
    if (!entry) return;
    if (entry.method === "post") {
      const form = document.createElement("form");
      form.method = "post";
      form.action = entry.url;
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrfToken();
      form.append(token);
      document.body.append(form);
      form.submit();
    } else {
      window.location.assign(entry.url);
    }
  }

  function openPalette() {
    if (shortcuts.open) shortcuts.close();
    if (!palette.open) palette.showModal();
    input.value = "";
    answeredFor = null;
    empty.textContent = "Nothing matches.";
    input.focus();
    search();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      // Enter before the answer to the last keystroke came: wait for it, then open.
      clearTimeout(timer);
      const go = () => open(entries[active]);
      if (answeredFor === input.value) go();
      else search().then(go);
    }
  });
  list.addEventListener("mousemove", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && Number(option.dataset.index) !== active) highlight(Number(option.dataset.index));
  });
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) open(entries[Number(option.dataset.index)]);
  });
  // A click on the backdrop (the dialog itself, outside its content) closes it.
  palette.addEventListener("click", (event) => {
    if (event.target === palette) palette.close();
  });
  shortcuts.addEventListener("click", (event) => {
    if (event.target === shortcuts) shortcuts.close();
  });

  // -- shortcuts ----------------------------------------------------------------

  const goTo = {};
  shortcuts.querySelectorAll("[data-go]").forEach((item) => {
    goTo[item.dataset.go] = item.dataset.url;
  });
  let pendingG = null;
  let current = null; // the highlighted table row

  function typing(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]"))
    );
  }

  function rows() {
    // The first table with body rows, preferring one whose rows can be ticked.
    const tables = [...document.querySelectorAll("main table")].filter(
      (table) => table.querySelector("tbody tr"),
    );
    const table = tables.find((t) => t.querySelector("tbody input[type=checkbox]")) || tables[0];
    return table ? [...table.querySelectorAll("tbody tr")] : [];
  }

  function moveRow(step) {
    const all = rows();
    if (!all.length) return;
    let index = current && current.isConnected ? all.indexOf(current) : -1;
    index = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    if (current) {
      current.classList.remove("kb-current");
      current.removeAttribute("aria-current");
    }
    current = all[index];
    current.classList.add("kb-current");
    current.setAttribute("aria-current", "true");
    current.scrollIntoView({ block: "nearest" });
  }

  function searchBox() {
    return document.querySelector(
      "main input[type=search], main input[name=q], main input[type=text]:not([hidden])",
    );
  }

  document.addEventListener("keydown", (event) => {
    const key = event.key;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key.toLowerCase() === "k") {
      event.preventDefault();
      if (palette.open) palette.close();
      else openPalette();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (palette.open || shortcuts.open) return;
    if (typing(event.target)) {
      // Escape leaves a box (the prospects search has the focus when the page opens),
      // so the shortcuts work again. Not Chromium's default for a search box, which
      // empties it: that would search again and drop the rows just found.
      if (key === "Escape" && event.target.matches("input, textarea")) {
        event.preventDefault();
        event.target.blur();
      }
      return;
    }

    if (pendingG) {
      clearTimeout(pendingG);
      pendingG = null;
      if (goTo[key]) {
        event.preventDefault();
        window.location.assign(goTo[key]);
      }
      return;
    }
    if (key === "g") {
      pendingG = setTimeout(() => {
        pendingG = null;
      }, 1500);
    } else if (key === "?") {
      event.preventDefault();
      shortcuts.showModal();
    } else if (key === "/") {
      event.preventDefault();
      const box = searchBox();
      if (box) {
        box.focus();
        box.select();
      } else {
        openPalette();
      }
    } else if (key === "j" || key === "k") {
      event.preventDefault();
      moveRow(key === "j" ? 1 : -1);
    } else if (key === "x" && current && current.isConnected) {
      const box = current.querySelector("input[type=checkbox]");
      if (box) {
        event.preventDefault();
        box.click(); // a click, so the page's own change handlers run too
      }
    } else if ((key === "o" || key === "Enter") && current && current.isConnected) {
      if (key === "Enter" && document.activeElement !== document.body) return;
      const link = current.querySelector("a[href]");
      if (link) {
        event.preventDefault();
        link.click();
      }
    }
  });
})();
