// Offline copy of the page: network first (so a new build shows at once), the cache
// when the network is gone. Only this origin's files are cached.
const CACHE = 'scoredyn-v1';
const FILES = ['./', 'index.html', 'embed.html', 'lecture.html', 'style.css', 'uPlot.min.css', 'uPlot.esm.js',
  'app.js', 'element.js', 'offline.js', 'demo.js', 'markup.js', 'views.js', 'worker.js', 'view3d.js', 'plot.js',
  'canvas.js', 'systems.js', 'scoredyn.js', 'scoredyn_bg.wasm', 'models/index.json', 'models/Lorenz.json',
  'models/Rossler.json', 'models/Thomas.json', 'models/Aizawa.json'];

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(FILES.map((f) => cache.add(f).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => ev.waitUntil(self.clients.claim()));

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
    .catch(() => caches.match(ev.request, { ignoreSearch: true })
      .then((hit) => hit || (url.pathname.endsWith('/') ? caches.match('index.html') : Response.error()))));
});
