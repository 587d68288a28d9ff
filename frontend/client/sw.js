// EleaSud's service worker (served at /app/sw.js, scope /app/).
// - The app shell (index page, scripts, styles, icons) is cached at install: the app opens offline.
// - Catalogue reads (/api/v1/modules/…, /themes/, /taxonomy/, /start/) and the merchant's own reads
//   (/api/v1/me/progress/, /me/recommendations/) go to the network first and fall back to the last copy, so
//   a module opened or recommended recently is readable offline. The page asks for the recommended modules
//   and their images ahead of time (api.js: keepForOffline).
// - Images: cache first.
// - Nothing is ever cached for writes; the offline queue of events lives in IndexedDB (api.js).
// Bump VERSION when the list of shell files changes; old caches are dropped on activate.

const VERSION = "v1";
const SHELL = `eleasud-shell-${VERSION}`;
const DATA = "eleasud-data";
const PRIVATE = "eleasud-private";
const IMAGES = "eleasud-images";
const SHELL_FILES = [
  "/app/",
  "/static/client/styles.css",
  "/static/client/app.js",
  "/static/client/api.js",
  "/static/client/dom.js",
  "/static/client/forms.js",
  "/static/client/pwa.js",
  "/static/client/outbox.js",
  "/static/client/render-blocks.js",
  "/static/client/views/account.js",
  "/static/client/views/auth.js",
  "/static/client/views/catalogue.js",
  "/static/client/views/diagnostic.js",
  "/static/client/views/explore.js",
  "/static/client/views/help.js",
  "/static/client/views/install.js",
  "/static/client/views/module.js",
  "/static/client/views/next-steps.js",
  "/static/client/views/password.js",
  "/static/client/views/profile.js",
  "/static/client/views/progress.js",
  "/static/client/views/theme.js",
  "/static/client/icons/icon-192.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("eleasud-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page signs out: the merchant's cached reads go with the session.
self.addEventListener("message", (event) => {
  if (event.data === "signed-out") event.waitUntil(caches.delete(PRIVATE));
});

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // the access token in Authorization changes at each refresh: match on the URL only
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return offlineCopy(cached);
    throw error;
  }
}

// Marks an answer served from the cache because the network failed: the page then knows it is offline.
function offlineCopy(response) {
  const headers = new Headers(response.headers);
  headers.set("X-From-Offline-Copy", "1");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok || response.type === "opaque") await cache.put(request, response.clone());
  return response;
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached);
  return cached || fresh;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    if (request.destination === "image") event.respondWith(cacheFirst(request, IMAGES));
    return;
  }
  if (request.mode === "navigate" && url.pathname.startsWith("/app/")) {
    // every route of the app is the same page: the network's, else the cached shell
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) caches.open(SHELL).then((cache) => cache.put("/app/", response.clone()));
          return response;
        })
        .catch(() => caches.match("/app/", { cacheName: SHELL })),
    );
    return;
  }
  if (url.pathname.startsWith("/static/client/")) {
    event.respondWith(staleWhileRevalidate(request));
    return;
  }
  if (/^\/api\/v1\/(me\/progress|me\/recommendations)\//.test(url.pathname)) {
    event.respondWith(networkFirst(request, PRIVATE));
    return;
  }
  if (/^\/api\/v1\/(modules|themes|taxonomy|start|diagnostic)\//.test(url.pathname)) {
    event.respondWith(networkFirst(request, DATA));
    return;
  }
  if (request.destination === "image" || url.pathname.startsWith("/media/")) {
    event.respondWith(cacheFirst(request, IMAGES));
  }
});
