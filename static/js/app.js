// Small behaviours shared by every staff page (loaded from our origin: the CSP forbids inline scripts).
(function () {
  "use strict";
  // A <select data-autosubmit> submits its form as soon as its value changes (the language switch).
  // An option's data-next, when present, replaces the form's `next` field: it is the page's
  // address in that option's language.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-autosubmit") || !select.form) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var next = select.form.querySelector("input[name=next]");
    if (option && option.dataset.next && next) {
      next.value = option.dataset.next;
    }
    if (select.form.requestSubmit) {
      select.form.requestSubmit();
    } else {
      select.form.submit();
    }
  });
})();
