// Offline copy of the page: network first (so a new build shows at once), the cache
// when the network is gone. Only this origin's files are cached.
// PRECACHE is written into the built sw.js by scripts/precache.mjs (a Trunk post_build
// hook): every file of the build, and a cache name that changes with them, so that one
// build's files never mix with another's.
const PRECACHE = { cache: 'scoredyn-unbuilt', files: [] };
const CACHE = PRECACHE.cache;

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(PRECACHE.files.map((f) => cache.add(f).catch(() => null))))
    .then(() => self.skipWaiting()));
});

// The other builds' caches go.
self.addEventListener('activate', (ev) => ev.waitUntil(caches.keys()
  .then((names) => Promise.all(names.filter((n) => n.startsWith('scoredyn-') && n !== CACHE).map((n) => caches.delete(n))))
  .then(() => self.clients.claim())));

self.addEventListener('fetch', (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== self.location.origin) return;
  ev.respondWith(fetch(ev.request)
    .then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((cache) => cache.put(ev.request, copy));
      }
      return res;
    })
    .catch(() => caches.open(CACHE)
      .then((cache) => cache.match(ev.request, { ignoreSearch: true })
        .then((hit) => hit || (url.pathname.endsWith('/') ? cache.match('index.html') : Response.error())))));
});
