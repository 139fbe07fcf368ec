// The consoles' only script: live refresh over Server-Sent Events, forms sent without reloading the page,
// keyboard shortcuts on the window page and a chime for new help calls at the desk. No build step.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.dataset.csrf;
  var live = (body.dataset.live || "").split(" ").filter(Boolean);
  var refreshing = false, again = false;

  // a live refresh keeps the answer to the last button (#flash) and what is being typed
  function swap(html, keep) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("main");
    var main = document.getElementById("main");
    if (keep && fresh) {
      var old = document.getElementById("flash");
      if (old && !doc.getElementById("flash")) { fresh.insertBefore(doc.importNode(old, true), fresh.firstChild); }
      if (document.activeElement && document.activeElement.id && document.activeElement.matches("input, textarea")) {
        return;  // never pull a field from under the fingers; the next event refreshes again
      }
    }
    // a page that marks its changing parts (data-part) gets only those replaced: its buttons stay the same
    // elements, so a tap that lands while the page updates is never lost
    // (the answer to a button brings its own #flash, which replaces the last one)
    var parts = fresh ? fresh.querySelectorAll("[data-part][id]") : [];
    if (parts.length && main) {
      parts.forEach(function (p) { var cur = document.getElementById(p.id); if (cur) { cur.innerHTML = p.innerHTML; } });
      var flash = doc.getElementById("flash"), old = document.getElementById("flash");
      if (!keep && flash) {
        if (old) { old.replaceWith(document.importNode(flash, true)); }
        else { main.insertBefore(document.importNode(flash, true), main.firstChild); }
      }
      document.dispatchEvent(new Event("console:refreshed"));
      return;
    }
    if (keep && fresh && main) {  // choices made but not yet sent survive the refresh
      main.querySelectorAll("form select[name], form input[name]:not([type=hidden]), form textarea[name]").forEach(function (el) {
        var sel = 'form[action="' + el.form.getAttribute("action") + '"] [name="' + el.name + '"]';
        var twin = fresh.querySelector(sel);
        if (twin && el.type !== "file") { twin.setAttribute("data-keep", el.value); }
      });
    }
    if (fresh && main) { main.innerHTML = fresh.innerHTML; }
    main && main.querySelectorAll("[data-keep]").forEach(function (el) { el.value = el.dataset.keep; el.removeAttribute("data-keep"); });
    var banner = document.getElementById("link-banner"), nb = doc.getElementById("link-banner");
    if (banner && !nb) { banner.remove(); }
    else if (nb && !banner) { document.body.insertBefore(nb, main); }
    document.dispatchEvent(new Event("console:refreshed"));
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(location.href, {headers: {"X-Partial": "1"}, credentials: "same-origin"})
      .then(function (r) { return r.text(); }).then(function (html) { swap(html, true); })
      .catch(function () {}).then(function () { refreshing = false; if (again) { again = false; refresh(); } });
  }

  function chime() {
    try {
      var ctx = chime.ctx || (chime.ctx = new (window.AudioContext || window.webkitAudioContext)());
      [880, 660].forEach(function (f, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f; o.connect(g); g.connect(ctx.destination);
        g.gain.setValueAtTime(0.25, ctx.currentTime + i * 0.25);
        g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.25 + 0.22);
        o.start(ctx.currentTime + i * 0.25); o.stop(ctx.currentTime + i * 0.25 + 0.25);
      });
    } catch (e) { /* no audio device: the list still updates */ }
    body.dataset.chimes = String(Number(body.dataset.chimes || 0) + 1);
  }

  if (live.length && window.EventSource) {
    var es = new EventSource("/events?kinds=" + encodeURIComponent(live.join(",")));
    es.onmessage = function (m) {
      var ev = {};
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.kind === "alert" && ev.alert === "help" && body.dataset.chime === "1") { chime(); }
      // a press changes the window, the board and the calls together: one re-read for all of them
      clearTimeout(refresh.timer);
      refresh.timer = setTimeout(refresh, 40);
    };
    es.onopen = function () { body.dataset.live_open = "1"; };
  }

  // forms marked data-async post in the background and show the answer in place of the page
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("form[data-async]")) { return; }
    e.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (e.submitter && e.submitter.name) { data.set(e.submitter.name, e.submitter.value); }
    fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin",
                        headers: {"X-Partial": "1", "X-CSRF-Token": csrf}})
      .then(function (r) { return r.text(); }).then(function (html) { swap(html, false); });
  });

  // a file field names the chosen file in place of the browser's hidden widget (templates/_file.html)
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches("label.file input[type=file]")) { return; }
    var shown = document.getElementById(input.id + "-name");
    if (!shown) { return; }
    var chosen = input.files && input.files.length > 0;
    shown.textContent = chosen ? input.files[0].name : shown.dataset.none;
    shown.classList.toggle("chosen", chosen);
  });

  // F-keys and the numeric pad press the window's buttons (data-key="F1 Numpad1")
  document.addEventListener("keydown", function (e) {
    if (e.target.matches("input, textarea, select")) { return; }
    var keys = [e.key, e.code];
    var btn = Array.prototype.find.call(document.querySelectorAll("[data-key]"), function (b) {
      return b.dataset.key.split(" ").some(function (k) { return keys.indexOf(k) >= 0; });
    });
    if (btn && !btn.disabled) { e.preventDefault(); btn.click(); }
  });
})();
