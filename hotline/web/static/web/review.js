// Keyboard review of a notice: j/k move, r remove, s restrict, x reject, i needs-info, ? help.
(function () {
  "use strict";
  const items = Array.from(document.querySelectorAll("[data-review-item]"));
  const help = document.getElementById("shortcut-help");
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

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (help.open && event.key !== "?") { return; }
    const key = event.key;
    let handled = true;
    if (key === "j") { select(current + 1); }
    else if (key === "k") { select(current - 1); }
    else if (key === "?") { toggleHelp(); }
    else if (key === "r" || key === "s") {
      const button = inItem('button[data-shortcut="' + key + '"]');
      if (button) { button.click(); }
    } else if (key === "x" || key === "i") {
      const field = inItem('[data-shortcut="' + key + '"]');
      if (field) { field.focus(); }
    } else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // Enter on a rejection reason submits the rejection (a select alone does not submit).
  document.querySelectorAll('select[data-shortcut="x"]').forEach(function (reason) {
    reason.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && reason.value) {
        event.preventDefault();
        reason.form.requestSubmit();
      }
    });
  });

  document.getElementById("shortcut-help-button").addEventListener("click", toggleHelp);

  // Start on the item in the address, else on the first one still waiting for a decision.
  const fromHash = items.findIndex(function (el) { return "#" + el.id === window.location.hash; });
  const waiting = items.findIndex(function (el) { return el.hasAttribute("data-awaiting"); });
  select(fromHash >= 0 ? fromHash : (waiting >= 0 ? waiting : 0));
})();
