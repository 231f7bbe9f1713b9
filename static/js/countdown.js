// Live Art. 33(1) countdown: every [data-countdown] element with a data-deadline (ISO 8601) shows the time left
// ("Due in 2 h 05 min") or past ("Late by 8 h 00 min"), in the page's language, refreshed every minute.
(function () {
  "use strict";
  var fr = (document.documentElement.lang || "en").indexOf("fr") === 0;
  function text(ms) {
    var total = Math.floor(Math.abs(ms) / 60000);
    var h = Math.floor(total / 60);
    var m = ("0" + (total % 60)).slice(-2);
    if (ms >= 0) { return (fr ? "Échéance dans " : "Due in ") + h + " h " + m + " min"; }
    return (fr ? "En retard de " : "Late by ") + h + " h " + m + " min";
  }
  function tick() {
    document.querySelectorAll("[data-countdown]:not([data-settled])").forEach(function (el) {
      var left = new Date(el.dataset.deadline).getTime() - Date.now();
      el.textContent = text(left);
      el.classList.toggle("text-bg-danger", left < 0);
      el.classList.toggle("text-bg-warning", left >= 0);
    });
  }
  tick();
  setInterval(tick, 60000);
})();
