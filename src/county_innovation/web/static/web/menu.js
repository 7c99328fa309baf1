/* The folding main menu on narrow screens: the button in the header opens and closes it.
   A static file because the content security policy refuses inline scripts. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector("[data-menu]");
    var button = header && header.querySelector("[data-menu-toggle]");
    if (!button) { return; }
    function set(open) {
      header.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && header.classList.contains("menu-open")) { set(false); button.focus(); }
    });
  });
})();
