// While a bulletin version is queued or being built, reload the page every few seconds to show it when done.
(function () {
  "use strict";
  var pending = document.querySelector("[data-pending]");
  if (pending) {
    window.setTimeout(function () { window.location.reload(); }, 3000);
  }
})();
