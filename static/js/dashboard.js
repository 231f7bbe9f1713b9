// Draws the dashboard charts from the JSON the view embeds with json_script (no inline script: CSP).
(function () {
  "use strict";
  var dataElement = document.getElementById("chart-data");
  var canvas = document.getElementById("contacts-chart");
  if (!dataElement || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--app-accent").trim() || "#0f766e";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{
        label: data.label,
        data: data.values,
        backgroundColor: accent,
        borderRadius: 4,
        maxBarThickness: 40
      }]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 } },
        x: { grid: { display: false } }
      }
    }
  });
})();
