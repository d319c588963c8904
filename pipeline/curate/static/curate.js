// Keyboard shortcuts for the curation UI. Loaded from /static (the CSP forbids inline script).
(function () {
  "use strict";
  var body = document.body;
  function typing(el) {
    return el && (el.tagName === "INPUT" && el.type !== "checkbox" && el.type !== "hidden" ||
                  el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }
  if (body.dataset.page === "queue") {
    var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr"));
    var at = 0;
    function select(i) {
      if (!rows.length) return;
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, j) { r.classList.toggle("selected", j === at); });
      rows[at].scrollIntoView({block: "nearest"});
    }
    select(0);
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === "j") select(at + 1);
      else if (e.key === "k") select(at - 1);
      else if ((e.key === "n" || e.key === "Enter" || e.key === "o") && rows.length) {
        e.preventDefault();
        rows[at].querySelector("a.open").click();
      }
    });
    return;
  }
  if (body.dataset.page !== "record") return;
  var cards = Array.prototype.slice.call(document.querySelectorAll(".field-card"));
  var current = document.querySelector(".field-card.current") || cards[0];
  function mark(card) {
    var field = card && card.dataset.field;
    document.querySelectorAll("mark.ev").forEach(function (m) {
      m.classList.toggle("focus", !!field && (" " + m.dataset.fields + " ").indexOf(" " + field + " ") >= 0);
    });
  }
  function setCurrent(card, scroll) {
    if (!card) return;
    cards.forEach(function (c) { c.classList.toggle("current", c === card); });
    current = card;
    mark(card);
    if (scroll) card.scrollIntoView({block: "nearest"});
  }
  cards.forEach(function (c) {
    c.addEventListener("focusin", function () { setCurrent(c, false); });
    c.addEventListener("click", function () { setCurrent(c, false); });
  });
  setCurrent(current, false);
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    var i = cards.indexOf(current);
    if (e.key === "a" && current) {
      e.preventDefault();
      current.querySelector("button.accept").click();
    } else if (e.key === "n") {
      window.location.href = body.dataset.nextUrl;
    } else if (e.key === "q") {
      window.location.href = "/";
    } else if (e.key === "j") {
      setCurrent(cards[Math.min(cards.length - 1, i + 1)], true);
    } else if (e.key === "k") {
      setCurrent(cards[Math.max(0, i - 1)], true);
    } else if (e.key === "c" && current) {
      e.preventDefault();
      var input = current.querySelector(".value, input[type=checkbox]");
      if (input) input.focus();
    }
  });
})();
