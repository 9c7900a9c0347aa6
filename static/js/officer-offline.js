/* The officer's offline app at a distribution point.
 * The day's roster is downloaded into IndexedDB while there is a signal; handovers are
 * recorded into IndexedDB with an id made here (client_id) and sent in one batch when
 * online (now, on "online", every 30 s). The server stores a client_id once, so a batch
 * sent twice changes nothing; a household collected elsewhere meanwhile is kept there
 * as a conflict for the office. The roster is deleted when the server says the round
 * is closed (410) and on logout (also by the server's Clear-Site-Data). */
(function () {
  "use strict";
  var app = document.getElementById("offline-app");
  if (!app || !window.indexedDB || !window.fetch) return;
  app.hidden = false;
  var msg = app.dataset;
  var key = msg.key;
  var statusEl = document.getElementById("offline-status");
  var pendingEl = document.getElementById("offline-pending");
  var results = document.getElementById("offline-results");
  var form = document.getElementById("offline-form");
  var query = document.getElementById("offline-q");
  var roster = null, chosen = null, csrf = null, sending = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(msg.sw, { scope: "/petugas/" }).catch(function () {});
  }
  function keepPage() {
    // The first visit came before the service worker: keep this page for offline use.
    if (window.caches && navigator.onLine) {
      caches.open("petugas-v1").then(function (c) { return c.add(location.href); }).catch(function () {});
    }
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("petugas", 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore("roster");
        req.result.createObjectStore("pending", { keyPath: "client_id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var out = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); resolve(out instanceof IDBRequest ? out.result : out); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function allPending() { return tx("pending", "readonly", function (s) { return s.getAll(); }); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function say(text) { statusEl.textContent = text; }
  function showPending() {
    return allPending().then(function (list) {
      var waiting = list.filter(function (r) { return !r.failed; });
      var failed = list.filter(function (r) { return r.failed; });
      pendingEl.textContent = waiting.length ? msg.msgPending.replace("{n}", waiting.length) : msg.msgSent;
      failed.forEach(function (r) { pendingEl.textContent += " · " + r.failed; });
      return list;
    });
  }
  function showRoster() {
    if (!roster) { say(msg.msgNone); return; }
    say(msg.msgReady.replace("{n}", roster.households.length) + (navigator.onLine ? "" : " " + msg.msgOffline));
  }
  function forget() {
    roster = null;
    return tx("roster", "readwrite", function (s) { return s.clear(); });
  }
  function download() {
    if (!navigator.onLine) return Promise.resolve();
    return fetch(app.dataset.roster, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 410) { return forget().then(function () { say(msg.msgClosed); throw "closed"; }); }
        if (!r.ok) throw r.status;
        return r.json();
      })
      .then(function (data) {
        csrf = data.csrf;
        delete data.csrf;
        return allPending().then(function (list) {
          // What this phone recorded but the server has not heard of yet stays collected here.
          var mine = {};
          list.forEach(function (p) { mine[p.entitlement_id] = true; });
          data.households.forEach(function (h) { if (mine[h.id]) h.status = "collected"; });
          roster = data;
          return tx("roster", "readwrite", function (s) { return s.put(data, key); });
        });
      })
      .then(showRoster)
      .catch(function () {});
  }
  function load() {
    return tx("roster", "readonly", function (s) { return s.get(key); }).then(function (data) {
      roster = data || null;
      showRoster();
    });
  }
  function norm(text) { return (text || "").toUpperCase().replace(/[^0-9A-Z]/g, ""); }
  function find(text) {
    if (!roster) return [];
    var q = text.trim(), code = norm(q), rt = q.toUpperCase().replace(/^RT\s*/, "");
    return roster.households.filter(function (h) {
      if (code.length === 16) return norm(h.code) === code;
      if (/^\d+$/.test(rt)) return String(h.rt) === rt;
      var name = q.toLowerCase();
      return name.length > 1 && ((h.collector || "").toLowerCase().indexOf(name) >= 0 ||
        (h.alternate || "").toLowerCase().indexOf(name) >= 0);
    }).slice(0, 30);
  }
  function list(text) {
    results.textContent = "";
    find(text).forEach(function (h) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = (h.collector || h.alternate || h.code) + " · RT " + h.rt +
        (h.status !== "due" ? " · " + msg.msgCollected : "");
      b.addEventListener("click", function () { choose(h); });
      li.appendChild(b);
      results.appendChild(li);
    });
  }
  function choose(h) {
    chosen = h;
    form.hidden = false;
    document.getElementById("offline-name").textContent = h.collector || h.code;
    document.getElementById("offline-who").textContent =
      (h.collector ? h.collector + " (" + msg.msgNik + " " + h.collector_nik + ")" : "") +
      (h.alternate ? " · " + h.alternate + " (" + msg.msgNik + " " + h.alternate_nik + ")" : "") +
      " · " + h.code + " · RT " + h.rt;
    document.getElementById("by-alternate").disabled = !h.alternate;
    var items = document.getElementById("offline-items");
    Array.prototype.slice.call(items.querySelectorAll(".field")).forEach(function (f) { f.remove(); });
    h.lines.forEach(function (line) {
      var div = document.createElement("div");
      div.className = "field";
      var label = document.createElement("label");
      label.htmlFor = "offline-item-" + line.item_id;
      label.textContent = line.name + " (" + line.unit + ")";
      var input = document.createElement("input");
      input.id = "offline-item-" + line.item_id;
      input.inputMode = "decimal";
      input.dataset.item = line.item_id;
      input.dataset.due = line.due_milli;
      input.value = String(line.due_milli / 1000).replace(".", ",");
      div.appendChild(label);
      div.appendChild(input);
      items.appendChild(div);
    });
    var error = document.getElementById("offline-error");
    error.textContent = h.status !== "due" ? msg.msgCollected : "";
    form.querySelector("button[type=submit]").disabled = h.status !== "due";
  }
  function record(event) {
    event.preventDefault();
    var error = document.getElementById("offline-error");
    if (!chosen || chosen.status !== "due") return;
    var lines = {}, partial = false, bad = false;
    form.querySelectorAll("[data-item]").forEach(function (input) {
      var value = Math.round(parseFloat(input.value.replace(",", ".")) * 1000);
      var due = Number(input.dataset.due);
      if (!(value >= 0) || value > due) bad = true;
      if (value < due) partial = true;
      lines[input.dataset.item] = value;
    });
    var reason = document.getElementById("offline-reason").value.trim();
    if (bad) { error.textContent = msg.msgOver; return; }
    if (partial && !reason) { error.textContent = msg.msgReason; return; }
    var item = {
      client_id: newId(),
      entitlement_id: chosen.id,
      collected_by: form.querySelector("input[name=collected_by]:checked").value,
      lines: lines,
      partial_reason: reason,
      handed_at: new Date().toISOString()
    };
    tx("pending", "readwrite", function (s) { return s.put(item); }).then(function () {
      chosen.status = "collected";
      return tx("roster", "readwrite", function (s) { return s.put(roster, key); });
    }).then(function () {
      form.hidden = true;
      document.getElementById("offline-reason").value = "";
      results.textContent = "";
      query.value = "";
      say(msg.msgRecorded);
      return showPending();
    }).then(send);
  }
  function send() {
    if (sending || !navigator.onLine) return showPending();
    return allPending().then(function (list) {
      var batch = list.filter(function (r) { return !r.failed; });
      if (!batch.length) return showPending();
      sending = true;
      var token = csrf ? Promise.resolve() : download();
      return token.then(function () {
        return fetch(app.dataset.sync, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
          body: JSON.stringify({ handovers: batch })
        });
      }).then(function (r) {
        if (!r.ok) { csrf = null; throw r.status; }
        return r.json();
      }).then(function (data) {
        csrf = data.csrf || csrf;
        return tx("pending", "readwrite", function (s) {
          data.results.forEach(function (res) {
            if (res.outcome === "error") {
              var kept = batch.filter(function (b) { return b.client_id === res.client_id; })[0];
              if (kept) { kept.failed = res.message; s.put(kept); }
            } else {
              s.delete(res.client_id);
            }
          });
        });
      }).then(download).catch(function () {}).then(function () {
        sending = false;
        return showPending();
      });
    });
  }
  function guardLogout() {
    var logout = document.getElementById("logout-form");
    if (!logout) return;
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      allPending().then(function (list) {
        if (list.some(function (r) { return !r.failed; })) { window.alert(msg.msgLogout); return; }
        var del = indexedDB.deleteDatabase("petugas");
        del.onsuccess = del.onerror = del.onblocked = function () { logout.submit(); };
      });
    });
  }

  query.addEventListener("input", function () { list(query.value); });
  form.addEventListener("submit", record);
  document.getElementById("offline-send").addEventListener("click", send);
  window.addEventListener("online", function () { showRoster(); send(); });
  window.addEventListener("offline", showRoster);
  var scan = document.getElementById("scan-start");
  if (scan) {
    scan.hidden = false;
    scan.addEventListener("click", function () {
      if (!window.officerScan) return;
      window.officerScan.start(function (code) {
        query.value = code;
        list(code);
        var hits = find(code);
        if (hits.length === 1) choose(hits[0]);
      });
    });
  }
  guardLogout();
  load().then(download).then(keepPage).then(send);
  setInterval(send, 30000);
})();
