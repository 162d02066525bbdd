// Keyboard review of a notice: j/k move, r remove, s restrict, x reject, i needs-info,
// n next page, ? help. An action is sent with fetch and only its item is redrawn: the rest
// of the page (and the place in it) stays as it was. Without JavaScript the forms still post.
(function () {
  "use strict";
  const list = document.querySelector("[data-act-in-place]");
  const help = document.getElementById("shortcut-help");
  const status = document.getElementById("review-status");
  let items = Array.from(document.querySelectorAll("[data-review-item]"));
  let current = -1;

  function select(index) {
    if (!items.length) { return; }
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (el, i) { el.classList.toggle("current", i === current); });
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  function inItem(selector) {
    return current < 0 ? null : items[current].querySelector(selector);
  }

  function toggleHelp() {
    if (help.open) { help.close(); } else { help.showModal(); }
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function say(notes) {
    if (!status) { return; }
    if (!notes.length) { status.textContent = ""; status.className = ""; return; }
    status.textContent = notes.map(function (n) { return n.text; }).join(" ");
    status.className = notes.some(function (n) { return n.level === "error"; }) ? "message error" : "message success";
  }

  // The next item still waiting after `from`, else the one after it.
  function nextWaiting(from) {
    for (let i = from + 1; i < items.length; i++) {
      if (items[i].hasAttribute("data-awaiting")) { return i; }
    }
    return Math.min(from + 1, items.length - 1);
  }

  async function actInPlace(form, submitter) {
    const row = form.closest("[data-review-item]");
    say([]);  // until the answer comes, no earlier message stands for this action
    const data = new FormData(form, submitter || undefined);
    let response;
    try {
      response = await fetch(form.getAttribute("action"), {
        method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin",
      });
    } catch (error) {
      form.submit();  // no connection to answer: the plain post says what happened
      return;
    }
    const answer = response.headers.get("Content-Type") || "";
    if (!answer.includes("application/json")) { form.submit(); return; }
    const body = await response.json();
    say(body.messages || []);
    const index = items.indexOf(row);
    const holder = document.createElement("template");
    holder.innerHTML = body.html.trim();
    const fresh = holder.content.firstElementChild;
    row.replaceWith(fresh);
    items = Array.from(document.querySelectorAll("[data-review-item]"));
    select(body.ok ? nextWaiting(index) : index);
  }

  if (list) {
    list.addEventListener("submit", function (event) {
      const form = event.target;
      if (!form.closest("[data-review-item]")) { return; }
      event.preventDefault();
      actInPlace(form, event.submitter);
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (help.open && event.key !== "?") { return; }
    const key = event.key;
    let handled = true;
    if (key === "j") { select(current + 1); }
    else if (key === "k") { select(current - 1); }
    else if (key === "?") { toggleHelp(); }
    else if (key === "n") {
      const next = document.getElementById("next-page");
      if (next) { window.location.href = next.href; }
    } else if (key === "r" || key === "s") {
      const button = inItem('button[data-shortcut="' + key + '"]');
      if (button) { button.click(); }
    } else if (key === "x" || key === "i") {
      const field = inItem('[data-shortcut="' + key + '"]');
      if (field) { field.focus(); }
    } else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // Enter on a rejection reason submits the rejection (a select alone does not submit).
  document.addEventListener("keydown", function (event) {
    const reason = event.target;
    if (event.key === "Enter" && reason.matches && reason.matches('select[data-shortcut="x"]') && reason.value) {
      event.preventDefault();
      reason.form.requestSubmit();
    }
  });

  document.getElementById("shortcut-help-button").addEventListener("click", toggleHelp);

  // Start on the item in the address, else on the first one still waiting for a decision.
  const fromHash = items.findIndex(function (el) { return "#" + el.id === window.location.hash; });
  const waiting = items.findIndex(function (el) { return el.hasAttribute("data-awaiting"); });
  select(fromHash >= 0 ? fromHash : (waiting >= 0 ? waiting : 0));
})();
