/* Confirmation dialogs without inline handlers (the content security policy forbids onclick=): a button or
   link with data-confirm="问题？" asks before it acts, a form with data-confirm asks before it is submitted. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (!target || target.tagName === "FORM") { return; }
    if (!window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
