// Contact list: "select all" and the bulk-action bar (loaded from our origin: the CSP forbids inline scripts).
(function () {
  "use strict";

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("input[type=checkbox][name=ids][form=bulk-form]"));
  }

  function refresh() {
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    var counter = document.querySelector("[data-selected-count]");
    if (counter) {
      counter.textContent = ticked
        ? counter.dataset.templateSome.replace("%(count)s", String(ticked))
        : counter.dataset.templateNone;
    }
    document.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      button.disabled = ticked === 0;
    });
    var all = document.querySelector("[data-check-all]");
    if (all) {
      var count = boxes().length;
      all.checked = count > 0 && ticked === count;
      all.indeterminate = ticked > 0 && ticked < count;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") {
      return;
    }
    if (target.hasAttribute("data-check-all")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.hasAttribute("data-check-all") || target.name === "ids") {
      refresh();
    }
  });

  // The results table is replaced by htmx when the filters change.
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
