"use strict";
// The paste page: POST the text to /api/extract and show the record. Every value from the
// record goes into the page as text (textContent), never as HTML.
(function () {
  var form = document.getElementById("paste-form");
  if (!form) return;
  var status = document.getElementById("paste-status");
  var result = document.getElementById("paste-result");
  var ROLES = ["cue", "source", "content"];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function label(a) {
    return a.source ? (a.source.name || a.source.text) : "(no source)";
  }

  // the sources of the nest an attribution belongs to, outermost first (see view.via_chain)
  function chain(atts, a) {
    var byId = {}, reportedBy = {};
    atts.forEach(function (x) { byId[x.id] = x; if (x.via) reportedBy[x.via] = x; });
    var top = a, seen = {};
    seen[a.id] = true;
    while (reportedBy[top.id] && !seen[reportedBy[top.id].id]) {
      top = reportedBy[top.id];
      seen[top.id] = true;
    }
    var out = [top], ids = {};
    ids[top.id] = true;
    while (top.via && byId[top.via] && !ids[top.via]) {
      top = byId[top.via];
      ids[top.id] = true;
      out.push(top);
    }
    return out.map(label);
  }

  // the text cut at every span boundary, each piece with the roles covering it (see view.segments)
  function highlighted(record) {
    var text = record.text, spans = [];
    record.attributions.forEach(function (a) {
      var parts = { content: a.content.spans, cue: a.cue ? a.cue.spans : [],
                    source: a.source ? a.source.spans : [] };
      ROLES.forEach(function (role) {
        parts[role].forEach(function (s) {
          if (s[0] < s[1]) spans.push({ s: s[0], e: s[1], id: a.id, role: role });
        });
      });
    });
    var cuts = [0, text.length];
    spans.forEach(function (sp) { cuts.push(sp.s, sp.e); });
    cuts = Array.from(new Set(cuts)).sort(function (x, y) { return x - y; });
    var box = el("div", "text");
    box.id = "paste-text-view";
    for (var i = 0; i + 1 < cuts.length; i++) {
      var lo = cuts[i], hi = cuts[i + 1];
      var on = spans.filter(function (sp) { return sp.s <= lo && sp.e >= hi; });
      if (!on.length) { box.appendChild(document.createTextNode(text.slice(lo, hi))); continue; }
      on.sort(function (x, y) { return ROLES.indexOf(x.role) - ROLES.indexOf(y.role); });
      var span = el("span", "hl " + ROLES.filter(function (r) {
        return on.some(function (sp) { return sp.role === r; });
      }).map(function (r) { return "r-" + r; }).join(" "), text.slice(lo, hi));
      span.setAttribute("data-a", on[0].id);
      box.appendChild(span);
    }
    box.addEventListener("click", function (event) {
      var hit = event.target.closest("[data-a]");
      if (!hit) return;
      var card = document.getElementById("paste-" + hit.getAttribute("data-a"));
      if (!card) return;
      result.querySelectorAll(".card.sel").forEach(function (c) { c.classList.remove("sel"); });
      card.classList.add("sel");
      card.scrollIntoView({ block: "nearest" });
    });
    return box;
  }

  function card(record, a) {
    var li = el("li", "card");
    li.id = "paste-" + a.id;
    li.appendChild(el("h3", null, label(a)));
    var dl = el("dl");
    function row(term, value, cls) {
      dl.appendChild(el("dt", null, term));
      dl.appendChild(el("dd", cls, value));
    }
    row("kind", a.kind.replace("_", " "), "kind");
    if (a.source) row("source", a.source.text + " (" + a.source.kind +
                      (a.source.anonymous ? ", anonymous" : "") + ")");
    row("cue", a.cue ? a.cue.text : "—");
    row("said", a.time ? (a.time.value || "?") + " (" + a.time.text + ")" : "not dated in the text");
    row("confidence", Number(a.confidence).toFixed(2));
    var via = chain(record.attributions, a);
    if (via.length > 1) row("via", via.join(" ← "), "via");
    row("content", a.content.text, "content");
    li.appendChild(dl);
    return li;
  }

  function show(record) {
    result.replaceChildren();
    result.appendChild(el("h2", null, record.title || "Record"));
    result.appendChild(el("p", "count", record.attributions.length + " attributions"));
    result.appendChild(highlighted(record));
    var list = el("ol", "cards");
    record.attributions.forEach(function (a) { list.appendChild(card(record, a)); });
    result.appendChild(list);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {};
    body[form.elements.format.value === "html" ? "html" : "text"] = form.elements.text.value;
    if (form.elements.published.value) body.published = form.elements.published.value;
    status.textContent = "Extracting…";
    result.replaceChildren();
    fetch("/api/extract", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (!answer.ok) {
        status.textContent = "Error: " + (answer.data.detail || "the server refused the text");
        return;
      }
      status.textContent = "Done: " + answer.data.attributions.length + " attributions.";
      show(answer.data);
    }).catch(function () {
      status.textContent = "Error: the server did not answer.";
    });
  });
})();
