"use strict";
// The article page: selecting a highlight (click) or an attribution (button, keyboard) shows
// its detail panel, rendered by the server; nothing here builds HTML from data.
(function () {
  var text = document.getElementById("text");
  if (!text) return;
  var none = document.getElementById("detail-none");

  function select(id, fromList) {
    if (!/^a\d+$/.test(id)) return;
    var detail = document.getElementById("detail-" + id);
    if (!detail) return;
    document.querySelectorAll(".hl.sel").forEach(function (el) { el.classList.remove("sel"); });
    document.querySelectorAll(".detail").forEach(function (el) { el.hidden = true; });
    document.querySelectorAll('.pick[aria-pressed="true"]').forEach(function (el) {
      el.setAttribute("aria-pressed", "false");
    });
    none.hidden = true;
    detail.hidden = false;
    var spans = text.querySelectorAll('[data-a~="' + id + '"]');
    spans.forEach(function (el) { el.classList.add("sel"); });
    var pick = document.getElementById("pick-" + id);
    if (pick) pick.setAttribute("aria-pressed", "true");
    if (fromList && spans.length) spans[0].scrollIntoView({ block: "center" });
    history.replaceState(null, "", "#" + id);
  }

  text.addEventListener("click", function (event) {
    var el = event.target.closest("[data-a]");
    if (el) select(el.getAttribute("data-a").split(" ")[0], false);
  });
  document.querySelectorAll(".pick").forEach(function (button) {
    button.addEventListener("click", function () { select(button.getAttribute("data-a"), true); });
  });
  if (location.hash) select(location.hash.slice(1), true);
})();
