/* The ticket's phone page, live: Server-Sent Events replace the status part; when the ticket is called,
   a vibration and a short tone where the browser allows. Without EventSource (or when the stream keeps
   failing) the page reloads itself every 15 s; without JavaScript, <noscript> refreshes it. ES5 only:
   old Android WebViews and WeChat's browser run this. */
(function () {
  var body = document.body;
  var url = body.getAttribute('data-events');
  if (!url) { return; }
  var state = body.getAttribute('data-state');
  var timer = null;
  var failures = 0;

  function plainRefresh() {
    if (!timer) { timer = setTimeout(function () { window.location.reload(); }, 15000); }
  }

  function tone() {
    var C = window.AudioContext || window.webkitAudioContext;
    if (!C) { return; }
    var ctx = new C();
    var t = ctx.currentTime;
    for (var i = 0; i < 3; i++) {
      var o = ctx.createOscillator();
      var g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.3;
      o.connect(g);
      g.connect(ctx.destination);
      o.start(t + i * 0.5);
      o.stop(t + i * 0.5 + 0.3);
    }
  }

  function called() {
    try { if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); } } catch (e) { }
    try { tone(); } catch (e) { }
  }

  if (!window.EventSource) { plainRefresh(); return; }
  var es = new EventSource(url);
  es.onmessage = function (m) {
    var d;
    failures = 0;
    try { d = JSON.parse(m.data); } catch (e) { return; }
    if (d.reload) { es.close(); window.location.reload(); return; }
    var live = document.getElementById('live');
    if (live && d.html) { live.innerHTML = d.html; }
    if (d.called && state !== 'called') { called(); }
    state = d.state;
    body.setAttribute('data-state', state);
  };
  es.onerror = function () {
    failures += 1;
    if (failures >= 2 || es.readyState === 2) { es.close(); plainRefresh(); }
  };
})();
