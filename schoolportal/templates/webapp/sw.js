// The schoolportal service worker (served from /sw.js, so its scope is the whole site).
// It keeps the look of the portal (static files under content-hashed names) and a Dutch
// offline page: nothing else. Pages someone is logged in to and photos always come from
// the network and are never stored here, so another user of the phone cannot find them.
const CACHE = "schoolportal-{{ version }}";
const OFFLINE_URL = "{{ offline_url }}";
const PRECACHE = {{ assets|tojson }};
// Other handlers join here, each with one importScripts line: push and notificationclick.
importScripts({{ url_for('static', filename='js/sw-push.js')|tojson }});

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE);
    // Without cookies: the offline page must be the same for whoever holds the phone.
    await cache.put(OFFLINE_URL, await fetch(OFFLINE_URL, { credentials: "omit" }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Always the network; only when it is gone, the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
