/* litmine: the part of jQuery and bootstrap-table that Great Expectations' Data Docs pages call,
   so they render offline. Not a general jQuery. */
(function () {
  "use strict";
  function Wrapped(nodes) { this.nodes = nodes.filter(Boolean); }
  Wrapped.prototype.each = function (fn) { this.nodes.forEach(function (n, i) { fn(i, n); }); return this; };
  Wrapped.prototype.parent = function () { return new Wrapped(this.nodes.map(function (n) { return n.parentElement; })); };
  Wrapped.prototype.fadeIn = function () { this.nodes.forEach(function (n) { n.style.display = ""; }); return this; };
  Wrapped.prototype.fadeOut = function () { this.nodes.forEach(function (n) { n.style.display = "none"; }); return this; };
  Wrapped.prototype.on = function () { return this; };
  Wrapped.prototype.ready = function (fn) { return $(fn); };
  Wrapped.prototype.bootstrapTable = function (options) {
    if (!options || typeof options !== "object") return this;   // clearFilterControl, resetSearch
    this.nodes.forEach(function (table) {
      var columns = options.columns || [], rows = options.data || [];
      var head = "<thead><tr>" + columns.map(function (c) { return "<th>" + (c.title || c.field) + "</th>"; }).join("") + "</tr></thead>";
      var body = rows.map(function (row) {
        var link = row._table_row_link_path;
        return "<tr" + (link ? ' class="clickable-row" data-href="' + link + '"' : "") + ">" +
          columns.map(function (c) {
            var cell = row[c.field] === undefined || row[c.field] === null ? "" : String(row[c.field]);
            return "<td>" + cell + "</td>";
          }).join("") + "</tr>";
      }).join("");
      table.innerHTML = head + "<tbody>" + body + "</tbody>";
      table.classList.add("litmine-table");
      table.addEventListener("click", function (e) {
        var tr = e.target.closest("tr[data-href]");
        if (tr && !e.target.closest("a")) window.location.href = tr.getAttribute("data-href");
      });
    });
    return this;
  };
  function $(what) {
    if (typeof what === "function") {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", what);
      else what();
      return new Wrapped([]);
    }
    if (what === document || what instanceof Element) return new Wrapped([what]);
    return new Wrapped(Array.prototype.slice.call(document.querySelectorAll(what)));
  }
  window.$ = window.jQuery = $;
})();
