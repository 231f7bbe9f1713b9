// The project's one Chart.js setup (CSP: no inline script). Every <canvas data-chart="ID"> is drawn from the JSON
// that the page embeds with json_script under ID: {"type": "bar"|"line", "labels": [...],
// "datasets": [{"label": ..., "values": [...]}, ...]}. Each chart has a table of the same numbers beside it.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var styles = getComputedStyle(document.documentElement);
  var accent = styles.getPropertyValue("--app-accent").trim() || "#0f766e";
  var palette = [accent, "#b45309", "#1d4ed8", "#7c3aed", "#be123c", "#4d7c0f", "#0e7490", "#a16207"];

  function dataset(set, index, type) {
    var colour = palette[index % palette.length];
    return {
      label: set.label,
      data: set.values,
      backgroundColor: colour,
      borderColor: colour,
      borderRadius: type === "bar" ? 4 : 0,
      maxBarThickness: 36,
      tension: 0.25,
      pointRadius: 2
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var type = data.type || "bar";
    new Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: (data.datasets || []).map(function (set, index) { return dataset(set, index, type); })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: (data.datasets || []).length > 1, position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
