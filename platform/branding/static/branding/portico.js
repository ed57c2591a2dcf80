/* Portico's small behaviours, progressive: every page works without them.
   - the navigation drawer on narrow screens (button[data-menu-toggle] ↔ #sidebar);
   - disclosure menus (<details class="menu">) close on Escape and on a click elsewhere;
   - destructive forms (form[data-confirm]) open their <dialog> instead of posting at once;
   - a form's error summary takes focus, so a screen reader hears what went wrong. */
(function () {
  "use strict";

  function setDrawer(open) {
    var sidebar = document.getElementById("sidebar");
    var toggle = document.querySelector("[data-menu-toggle]");
    if (!sidebar || !toggle) return;
    if (open) {
      sidebar.setAttribute("data-open", "");
      var first = sidebar.querySelector("a, button, summary");
      if (first) first.focus();
    } else {
      sidebar.removeAttribute("data-open");
    }
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function focusErrors(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var toggle = target.closest("[data-menu-toggle]");
    if (toggle) {
      setDrawer(toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (target.closest("[data-menu-close]") || target.classList.contains("scrim")) {
      setDrawer(false);
      document.querySelector("[data-menu-toggle]").focus();
    }
    document.querySelectorAll("details.menu[open], details.switcher[open]").forEach(function (menu) {
      if (!menu.contains(target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open], details.switcher[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
    var sidebar = document.getElementById("sidebar");
    if (sidebar && sidebar.hasAttribute("data-open")) {
      setDrawer(false);
      document.querySelector("[data-menu-toggle]").focus();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    var dialog = document.getElementById(form.dataset.confirm);
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    dialog.showModal();
  });

  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrors(event.target); });
})();
