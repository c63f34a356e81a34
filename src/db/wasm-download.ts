import { mark } from './startup-marks';

/**
 * The DuckDB wasm (34 MB, ~6 MB as served compressed) is most of what a first visit waits for:
 * fetched here, not inside duckdb-wasm's worker, so the page can show how far it is. The worker
 * then instantiates it from an object URL, so it is downloaded once.
 * When a service worker controls the page, the wasm comes from its precache: then the worker
 * fetches the URL itself, which lets Chromium reuse the code it compiled on an earlier visit
 * (it caches compiled code for responses from the cache, never for object URLs).
 */
export type StartStep =
  | { step: 'download'; loaded: number; total: number }
  | { step: 'compile' }
  | { step: 'open' };

/** Uncompressed sizes, by file name, written in by vite.config.ts (a compressed response's length says nothing of them). */
declare const __WASM_SIZES__: Record<string, number>;

function expectedSize(url: string): number {
  const sizes = typeof __WASM_SIZES__ === 'undefined' ? {} : __WASM_SIZES__;
  const name = Object.keys(sizes).find((n) => new URL(url, location.href).pathname.split('/').pop()?.startsWith(n.replace(/\.wasm$/, '')));
  return name ? sizes[name]! : 0;
}

export async function downloadWasm(url: string, onStep: (s: StartStep) => void): Promise<{ url: string; release(): void }> {
  const total = expectedSize(url);
  mark('wasm-fetch-start');
  if (navigator.serviceWorker?.controller) {
    mark('wasm-fetched');
    onStep({ step: 'download', loaded: total, total });
    return { url, release: () => undefined };
  }
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`could not download ${url}: HTTP ${res.status}`);
  const parts: Uint8Array[] = [];
  let loaded = 0;
  let shown = 0;
  const reader = res.body.getReader();
  onStep({ step: 'download', loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    // A render per 256 KB is plenty for a bar.
    if (loaded - shown >= 256 * 1024) {
      shown = loaded;
      onStep({ step: 'download', loaded, total: Math.max(total, loaded) });
    }
  }
  onStep({ step: 'download', loaded, total: loaded });
  mark('wasm-fetched');
  const objectUrl = URL.createObjectURL(new Blob(parts as BlobPart[], { type: 'application/wasm' }));
  return { url: objectUrl, release: () => URL.revokeObjectURL(objectUrl) };
}
