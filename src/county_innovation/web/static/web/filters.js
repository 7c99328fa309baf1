/* Filter forms marked data-autosubmit reload the page as soon as a choice changes (a submit button is
   shown instead when scripts are off). Switching the level drops the county filter, which only towns have. */
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.name === "level") {
          var county = form.querySelector("select[name=county]");
          if (county) { county.disabled = true; }
        }
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
