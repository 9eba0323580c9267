// Registers the service worker that keeps the page working without a network after
// the first visit (sw.js: network first, the cache when offline).
export function registerOffline() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // After the page has loaded and started, so that caching never delays the first samples.
  const go = () => setTimeout(register, 2000);
  if (document.readyState === 'complete') go(); else window.addEventListener('load', go, { once: true });
}

function register() {
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url), { scope: './' })
    .catch(() => { /* no offline copy: the page still works online */ });
  navigator.serviceWorker.ready.then(() => { document.documentElement.dataset.offline = 'ready'; });
}
