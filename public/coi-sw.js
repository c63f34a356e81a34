/*
 * Cross-origin isolation for static hosts that cannot send headers (issue 6): this service worker
 * adds COOP + COEP to the page's own files, so duckdb-wasm can run its threaded "coi" bundle.
 * COEP is `credentialless`, so instances' avatars and media (no CORP header) still load.
 * Only same-origin GETs pass through here: requests to Mastodon instances (and their tokens)
 * never touch this worker. Registered by src/isolation.ts, only when the host sends no headers.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0 || response.type === 'opaqueredirect') return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'credentialless');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
