/* Every page: what the keyboard needs and HTML alone cannot give. Loaded as a file because the
   Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  // A wide table scrolls sideways in its .table-responsive box (on a phone, mostly). The
  // keyboard scrolls it with the arrow keys only if the box can take focus (WCAG 2.1.1), so a
  // box that overflows becomes a tab stop, and one that fits stops being one.
  function reachable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }

  // A list table with class "table-cards" reads as cards on a phone (danwei.css): each cell
  // shows its column's heading, taken from the table's head unless the cell has its own.
  document.querySelectorAll("table.table-cards").forEach(function (table) {
    var heads = table.tHead ? Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
      return th.textContent.trim();
    }) : [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (!cell.hasAttribute("data-label") && heads[index]) {
            cell.setAttribute("data-label", heads[index]);
          }
        });
      });
    });
  });

  reachable();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(reachable, 200);
  });
})();
