/* Trackii's own script, loaded with defer by base.html (no inline script: the CSP forbids it).
   Everything here improves what already works without it:
   - a failed form's error summary takes focus when the page loads, and its links take focus
     to their field;
   - after an htmx swap that a person caused, focus goes to what changed (its first [data-focus]
     element, else the swapped region itself) if it was lost with the old content, and the
     page's live region says what happened ([data-announce] of the new content, else "Updated",
     translated in the live region's data-updated attribute);
   - the account menu (<details class="menu">) closes with Escape or a click elsewhere. */
(function () {
  "use strict";

  function focusElement(element) {
    if (!element) { return; }
    if (element.tagName === "FORM") {
      var control = element.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])");
      if (control) { control.focus(); return; }
    }
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function announce(text) {
    var live = document.getElementById("live-region");
    if (!live) { return; }
    live.textContent = "";
    // A fresh text node after a pause, so the same words are announced again.
    window.setTimeout(function () { live.textContent = text; }, 100);
  }

  // What the live region says when new content names nothing itself: in the page's language
  // from the region's data-updated attribute (base.html translates it), else English.
  function updatedText() {
    var live = document.getElementById("live-region");
    return (live && live.getAttribute("data-updated")) || "Updated";
  }

  // -- the error summary ----------------------------------------------------------------------
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var label = (field.id && document.querySelector("label[for='" + CSS.escape(field.id) + "']")) || field.closest("fieldset") || field;
    label.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // -- htmx: focus and announce ---------------------------------------------------------------
  var swapping = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    swapping = {
      xhr: detail.xhr,
      id: detail.target && detail.target.id,
      byPerson: Boolean(detail.requestConfig && detail.requestConfig.triggeringEvent)
    };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var swap = swapping;
    if (!swap || event.detail.xhr !== swap.xhr) { return; }
    swapping = null;
    // Polling (a pack's status) changes the page on its own: it neither moves focus nor speaks
    // here (the region has its own aria-live).
    if (!swap.byPerson) { return; }
    var region = (swap.id && document.getElementById(swap.id)) || event.target;
    if (!region || !region.isConnected) { return; }
    var said = region.matches("[data-announce]") ? region : region.querySelector("[data-announce]");
    announce((said && said.getAttribute("data-announce")) || updatedText());
    var summaryHere = region.querySelector("[data-error-summary]");
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    if (summaryHere) {
      summaryHere.focus();
    } else if (lost) {
      focusElement(region.matches("[data-focus]") ? region : (region.querySelector("[data-focus]") || region));
    }
  });

  // -- the account menu -----------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
}());
