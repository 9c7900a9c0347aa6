/* The offline app's service worker, served as /petugas/sw.js (scope /petugas/).
 * The offline page of a point is fetched from the network when there is one and kept;
 * without a signal the kept copy is shown. Its scripts and styles are kept too.
 * Nothing else is cached: the roster lives in IndexedDB, handovers go to the server. */
"use strict";
var CACHE = "petugas-v1";
var SHELL = [
  "/static/css/portal.css",
  "/static/js/htmx-2.0.11.min.js",
  "/static/js/officer-offline.js",
  "/static/js/officer-scan.js",
  "/static/vendor/jsqr-1.4.0-apache-2.0.js",
  "/static/officer.webmanifest",
  "/static/img/favicon.svg"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function offlinePage(url) { return url.pathname.indexOf("/petugas/") === 0 && /\/luring$/.test(url.pathname); }

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (offlinePage(url)) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (c) { c.put(request, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(request, { ignoreVary: true }).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (hit) { return hit || fetch(request); }));
  }
});
