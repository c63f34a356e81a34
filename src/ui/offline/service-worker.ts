/**
 * The service worker that makes the page installable and open with no network (vite.config.ts
 * has Workbox generate it). A new version is installed in the background and waits; a running
 * page keeps its code and the worker it started with, and is told that the next reload runs
 * the new version.
 */
const HOURLY_MS = 60 * 60_000;

const supported = () => 'serviceWorker' in navigator && globalThis.isSecureContext;

/**
 * Registers the worker (or checks for a new version of it) and calls `onUpdateReady` when a new
 * version has installed and waits for the next load. Called once DuckDB has started: on a first
 * visit, the worker's precaching then finds the wasm in the HTTP cache instead of downloading it
 * a second time alongside the page.
 */
export async function registerServiceWorker(onUpdateReady: () => void): Promise<void> {
  if (!supported()) return;
  try {
    const reg = await navigator.serviceWorker.register(new URL('sw.js', document.baseURI));
    const watch = (w: ServiceWorker | null) => {
      if (!w) return;
      // Installed beside an active version: an update, not the first install.
      const check = () => w.state === 'installed' && reg.active && reg.active !== w && onUpdateReady();
      check();
      w.addEventListener('statechange', check);
    };
    // Only versions found from now on: one already installing or waiting was found when this page
    // loaded, and its HTML came from the network (vite.config.ts), so it runs those files already.
    reg.addEventListener('updatefound', () => watch(reg.installing));
    setInterval(() => void reg.update().catch(() => undefined), HOURLY_MS);
  } catch {
    // No service worker (blocked, private mode): the page works online as before.
  }
}
