/**
 * Makes the page cross-origin isolated where the host does not send COOP/COEP itself (a plain
 * static host), by registering public/coi-sw.js and reloading once under its control; duckdb-wasm
 * then runs threaded. Where that is impossible (no service workers, not a secure context, or the
 * reload did not help) the page runs as it is, on the single-threaded bundle.
 * Returns true when the page is about to reload (the caller then does not start the app).
 */
const TRIED = 'tootscope-isolation-tried';
const READY_WITHIN_MS = 3000;

export async function ensureIsolation(): Promise<boolean> {
  if (globalThis.crossOriginIsolated || !globalThis.isSecureContext || !('serviceWorker' in navigator)) return false;
  try {
    // Once per tab session: if a reload under the worker did not isolate the page, do not loop.
    if (sessionStorage.getItem(TRIED)) return false;
    sessionStorage.setItem(TRIED, '1');
    // Where service workers are blocked, register() or ready may never settle: do not wait long.
    const ready = (async () => {
      await navigator.serviceWorker.register(new URL('./coi-sw.js', location.href));
      await navigator.serviceWorker.ready;
      return true;
    })();
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), READY_WITHIN_MS));
    if (!(await Promise.race([ready, timeout]))) return false;
    location.reload();
    return true;
  } catch {
    return false;
  }
}
