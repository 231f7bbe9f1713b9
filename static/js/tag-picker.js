// A <select multiple data-tag-picker> becomes a searchable multi-choice: type to filter, arrows and
// Enter to add, Backspace or the × to remove. Without JavaScript the plain multi-select still works.
(function () {
  "use strict";

  function enhance(select) {
    if (select.tomselect || typeof TomSelect === "undefined") {
      return;
    }
    new TomSelect(select, {
      plugins: { remove_button: { title: select.dataset.removeLabel || "Remove" } },
      create: false,
      maxOptions: null,
      hideSelected: true,
      closeAfterSelect: false,
      selectOnTab: false,
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = select.dataset.noResults || "No tag matches";
          return div;
        },
      },
    });
  }

  function enhanceAll(root) {
    root.querySelectorAll("select[data-tag-picker]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhanceAll(event.target); });
})();
