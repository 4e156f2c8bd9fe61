// Draws every report and dashboard chart with Chart.js.
//
// Each chart is a <canvas data-chart="ID"> next to a <script type="application/json" id="ID">
// holding its Chart.js configuration, written by core/reports/render.py. Reading JSON instead of
// running inline script keeps the Content-Security-Policy strict (script-src 'self').
(function () {
  "use strict";

  var printView = document.body.hasAttribute("data-print-view");
  var charts = [];

  function percent(value) {
    return typeof value === "number" ? Math.round(value * 1000) / 10 + "%" : value;
  }

  function configure(config) {
    var extra = config.danwei || {};
    delete config.danwei;
    var options = config.options || (config.options = {});
    options.responsive = true;
    options.maintainAspectRatio = false;
    if (printView) {
      options.animation = false; // print what is there, not a frame of an animation
    }
    if (extra.percent) {
      var y = ((options.scales = options.scales || {}).y = options.scales.y || {});
      y.ticks = { callback: percent };
      options.plugins = options.plugins || {};
      options.plugins.tooltip = {
        callbacks: {
          label: function (item) {
            return (item.dataset.label ? item.dataset.label + ": " : "") + percent(item.parsed.y);
          },
        },
      };
    }
    return config;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") {
      return; // without Chart.js the tables still carry the numbers
    }
    try {
      charts.push(new window.Chart(canvas, configure(JSON.parse(source.textContent))));
      canvas.setAttribute("data-drawn", "true");
    } catch (error) {
      canvas.setAttribute("data-error", String(error));
    }
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.querySelectorAll("[data-action='print']").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
    // Charts follow the page width; give them the paper's width before printing.
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
