// Keyboard shortcuts and span selection for the curation UI. Loaded from /static (the CSP
// forbids inline script).
(function () {
  "use strict";
  var body = document.body;
  function typing(el) {
    return el && (el.tagName === "INPUT" && el.type !== "checkbox" && el.type !== "hidden" ||
                  el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !typing(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      var search = document.getElementById("search");
      if (search) { e.preventDefault(); search.focus(); }
    }
  });
  if (body.dataset.page === "queue" || body.dataset.page === "browse") {
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
    document.querySelectorAll("#source-text mark").forEach(function (m) {
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

  // A span of the text selected with the mouse becomes the current field's evidence.
  var source = document.getElementById("source-text");
  var bar = document.getElementById("selection-bar");
  var picked = null;
  function offset(node, within) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    while (el && el !== source && !el.hasAttribute("data-o")) el = el.parentElement;
    if (!el || el === source) return null;
    return parseInt(el.getAttribute("data-o"), 10) + (node.nodeType === 3 ? within : 0);
  }
  source.addEventListener("mouseup", function () {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) { bar.hidden = true; return; }
    var range = sel.getRangeAt(0);
    var start = offset(range.startContainer, range.startOffset);
    var end = offset(range.endContainer, range.endOffset);
    var text = sel.toString();
    if (start === null || end === null || end <= start || !text.trim()) { bar.hidden = true; return; }
    picked = {text: text, start: start, end: end};
    document.getElementById("selection-text").textContent = text;
    bar.hidden = false;
  });
  document.getElementById("use-selection").addEventListener("click", function () {
    if (!picked || !current) return;
    var form = current.querySelector("form.curate");
    form.querySelector(".evidence-text").value = picked.text;
    form.querySelector(".evidence-start").value = picked.start;
    form.querySelector(".evidence-end").value = picked.end;
    var input = form.querySelector("input.value");
    var words = picked.text.trim();
    if (input && (input.inputMode !== "numeric" || /^\d+(\s*\w+)?$/.test(words))) input.value = words;
    form.querySelector(".evidence-note").textContent = "evidence: \u201c" + words + "\u201d";
    bar.hidden = true;
  });

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
    } else if (e.key === "x" && current) {
      e.preventDefault();
      var reason = current.querySelector("input.reason");
      if (!reason.value.trim()) reason.value = "not reported in the title or abstract";
      current.querySelector("button.not-reported").click();
    } else if (e.key === "u") {
      e.preventDefault();
      document.getElementById("undo").click();
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
