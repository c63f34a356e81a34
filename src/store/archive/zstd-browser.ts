import { compress, init } from '@bokuweb/zstd-wasm';
import type { ZstdCompress } from './parquet-codec';

let ready: Promise<ZstdCompress> | null = null;

/**
 * zstd with a level (see parquet-codec.ts), instantiated once. Its browser build finds zstd.wasm
 * beside itself (`new URL(…, import.meta.url)`), which Vite serves and bundles as our own asset;
 * the package's `exports` allow no deep import of the file itself.
 */
export function loadZstd(): Promise<ZstdCompress> {
  ready ??= init().then(() => (bytes: Uint8Array, level: number) => compress(bytes, level));
  return ready;
}
