// The field page's service worker (scope /field): keeps the page shell and its scripts on
// the phone so that /field opens with no network. Data lives in IndexedDB (field-db.js);
// API calls always go to the network and the page decides what to do when they fail.
"use strict";
const CACHE = "wurao-field-v1";
const SHELL = [
  "/field",
  "/static/css/app.css",
  "/static/vendor/htmx.min.js",
  "/static/js/field-db.js",
  "/static/js/field.js",
  "/field/manifest.webmanifest",
  "/static/field-icon.svg",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// Network first (fresh page, fresh CSRF token), the cached copy when the network is gone.
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (url.pathname === "/field" || SHELL.includes(url.pathname)) {
    event.respondWith(networkFirst(event.request));
  }
});
