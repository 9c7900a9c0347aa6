/* Attendance that works offline for a morning.
 * Each tap makes a mark with its own id, kept in localStorage until the server has it.
 * Marks are sent as JSON when online (now, on "online", and every 20 s); the server
 * ignores an id it has seen, so a mark sent twice counts once. Without JavaScript the
 * plain forms on the page post one mark each. */
(function () {
  "use strict";
  var list = document.getElementById("attendance");
  if (!list || !window.localStorage || !window.fetch) return;
  var key = "training-marks-" + list.dataset.session;
  var status = document.getElementById("attendance-status");

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(marks) { localStorage.setItem(key, JSON.stringify(marks)); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function show() {
    var pending = load().length;
    status.hidden = false;
    status.textContent = pending ? status.dataset.pending + " (" + pending + ")" : status.dataset.saved;
  }
  function paint(place, present) {
    var item = list.querySelector('[data-place="' + place + '"] [data-mark]');
    if (!item) return;
    var form = list.querySelector('[data-place="' + place + '"] button[value="' + (present ? "1" : "0") + '"]');
    item.textContent = form ? form.textContent : "";
    item.className = "tag " + (present ? "tag-ok" : "tag-muted");
  }
  var sending = false;
  function flush() {
    var marks = load();
    if (!marks.length || sending || !navigator.onLine) { show(); return; }
    sending = true;
    fetch(list.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": list.dataset.csrf },
      body: JSON.stringify({ marks: marks })
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      var done = {};
      (data.received || []).forEach(function (id) { done[id] = true; });
      save(load().filter(function (m) { return !done[m.id]; }));
    }).catch(function () { /* stays queued */ }).then(function () {
      sending = false;
      show();
    });
  }
  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("attendance-form")) return;
    event.preventDefault();
    var button = event.submitter;
    var present = button && button.value === "1";
    var place = parseInt(form.querySelector('[name="place_id"]').value, 10);
    var marks = load();
    marks.push({ id: newId(), place: place, present: present });
    save(marks);
    paint(place, present);
    flush();
  });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  load().forEach(function (m) { paint(m.place, m.present); });
  flush();
})();
