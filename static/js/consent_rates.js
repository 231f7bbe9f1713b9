// Draws a purpose's consents and withdrawals per month from the JSON embedded with json_script (CSP: no inline script).
(function () {
  "use strict";
  var dataElement = document.getElementById("consent-chart-data");
  var canvas = document.getElementById("consent-rates-chart");
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
      datasets: [
        { label: data.given_label, data: data.given, backgroundColor: accent, borderRadius: 4, maxBarThickness: 32 },
        { label: data.withdrawn_label, data: data.withdrawn, backgroundColor: "#b45309", borderRadius: 4, maxBarThickness: 32 }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } }
    }
  });
})();
