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

  reachable();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(reachable, 200);
  });
})();
