/* The branding settings page's preview: the colour and name being picked, before they are saved.
   Progressive: without it the preview shows the saved brand. Sets custom properties through the CSSOM, which the
   CSP allows (no style attributes in the markup). Text on the colour is white or ink, whichever contrasts more;
   the saved theme (branding/colours.py) also adjusts link and focus colours, which this preview leaves alone. */
(function () {
  "use strict";

  var INK = "#1b1f24";

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function initialOf(name) {
    var match = name.trim().match(/[0-9A-Za-z\u00C0-\uFFFF]/);
    return match ? match[0].toUpperCase() : "?";
  }

  function setUp(preview) {
    var colour = document.getElementById(preview.dataset.colourInput || "");
    var name = document.getElementById(preview.dataset.nameInput || "");
    var nameOut = preview.querySelector("[data-preview-name]");
    var initialOut = preview.querySelector("[data-preview-initial]");

    function showColour() {
      if (!colour || !/^#[0-9a-fA-F]{6}$/.test(colour.value)) return;
      var onAccent = contrast(colour.value, "#ffffff") >= contrast(colour.value, INK) ? "#ffffff" : INK;
      preview.style.setProperty("--accent", colour.value);
      preview.style.setProperty("--on-accent", onAccent);
    }

    function showName() {
      if (!name || !nameOut) return;
      var shown = name.value.trim() || preview.dataset.defaultName || "";
      nameOut.textContent = shown;
      if (initialOut) initialOut.textContent = initialOf(shown);
    }

    if (colour) colour.addEventListener("input", showColour);
    if (name) name.addEventListener("input", showName);
    showColour();
    showName();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-brand-preview]").forEach(setUp);
  });
})();
