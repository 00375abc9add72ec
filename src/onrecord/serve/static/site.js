"use strict";
// Bar widths from data-w (percent): inline style attributes are refused by the page's CSP.
document.querySelectorAll("[data-w]").forEach(function (el) {
  var w = Number(el.getAttribute("data-w"));
  if (w >= 0 && w <= 100) el.style.width = w + "%";
});
