/**
 * How far DuckDB's start is, for the page's bar (issue 16: never a frozen "Starting…"): the
 * wasm's download, then compiling what streaming compilation has not yet done, then opening.
 */
export type StartStep =
  | { step: 'download'; loaded: number; total: number }
  | { step: 'compile' }
  | { step: 'open' };

/** Uncompressed sizes, by file name, written in by vite.config.ts (a compressed response's length says nothing of them). */
declare const __WASM_SIZES__: Record<string, number>;

/** The wasm's size in bytes as the worker counts them (decompressed), or 0 when unknown. */
export function wasmSize(url: string): number {
  const sizes = typeof __WASM_SIZES__ === 'undefined' ? {} : __WASM_SIZES__;
  const name = Object.keys(sizes).find((n) => new URL(url, location.href).pathname.split('/').pop()?.startsWith(n.replace(/\.wasm$/, '')));
  return name ? sizes[name]! : 0;
}
