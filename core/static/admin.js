/* Administration pages: confirmations, import progress, user search, unit tree on phones.
   Loaded as a file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  // Buttons that destroy or lock something ask first.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // Import: say how many rows the chosen file has, and show that the upload is processing.
  document.querySelectorAll("input[type=file][data-row-count]").forEach(function (input) {
    var output = document.getElementById(input.getAttribute("data-row-count"));
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!output || !file) { return; }
      if (!/\.csv$/i.test(file.name)) {
        output.textContent = file.name + " · " + Math.ceil(file.size / 1024) + " KB";
        return;
      }
      file.text().then(function (text) {
        var rows = text.split(/\r?\n/).filter(function (line) { return line.trim() !== ""; });
        output.textContent = file.name + " · " + Math.max(rows.length - 1, 0) + " " +
          (document.documentElement.lang === "zh-CN" ? "行" : "rows");
      });
    });
  });
  document.querySelectorAll("form[data-processing]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      // Disabled after the submit event so that the browser still sends the form.
      window.setTimeout(function () { button.disabled = true; }, 0);
      button.querySelectorAll(".spinner-border, [data-busy]").forEach(function (el) {
        el.classList.remove("d-none");
      });
      button.querySelectorAll("[data-idle]").forEach(function (el) { el.classList.add("d-none"); });
      form.setAttribute("aria-busy", "true");
    });
  });

  // Role assignment: suggest people in scope while typing a user name.
  document.querySelectorAll("input[data-user-search]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (!q) { return; }
        fetch(list.getAttribute("data-url") + "?q=" + encodeURIComponent(q), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : []; }).then(function (people) {
          list.replaceChildren.apply(list, people.map(function (p) {
            var option = document.createElement("option");
            option.value = p.username;
            option.label = p.name + (p.unit ? " · " + p.unit : "");
            return option;
          }));
        });
      }, 200);
    });
  });

  // Unit tree: on a phone, start with only the top levels open.
  if (window.matchMedia("(max-width: 575.98px)").matches) {
    document.querySelectorAll(".unit-tree details details").forEach(function (d) {
      d.open = false;
    });
  }
})();
