// Offline copy of the page: network first (so a new build shows at once), this build's
// cache when the network is gone. Only this origin's files are served from it.
// PRECACHE is written into the built sw.js by scripts/precache.mjs (a Trunk post_build
// hook): every file of the build, and a cache name that changes with them. The cache is
// filled once, at install, with all of those files or none (so a build half-fetched never
// takes over), and never written afterwards: a page of a newer build fetched while this
// worker still runs cannot put its files into this build's cache.
const PRECACHE = { cache: 'scoredyn-unbuilt', files: [] };
const CACHE = PRECACHE.cache;

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE)
    // `reload`: from the server, never from the HTTP cache, which may hold an older build.
    .then((cache) => cache.addAll(PRECACHE.files.map((f) => new Request(f, { cache: 'reload' }))))
    .then(() => self.skipWaiting()));
});

// The other builds' caches go.
self.addEventListener('activate', (ev) => ev.waitUntil(caches.keys()
  .then((names) => Promise.all(names.filter((n) => n.startsWith('scoredyn-') && n !== CACHE).map((n) => caches.delete(n))))
  .then(() => self.clients.claim())));

self.addEventListener('fetch', (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== self.location.origin) return;
  ev.respondWith(fetch(ev.request).catch(() => caches.open(CACHE)
    .then((cache) => cache.match(ev.request, { ignoreSearch: true })
      .then((hit) => hit || (url.pathname.endsWith('/') ? cache.match('index.html') : Response.error())))));
});
