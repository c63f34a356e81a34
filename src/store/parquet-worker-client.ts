import type { ParquetCodec } from './snapshot';

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { resolve(b: Uint8Array): void; reject(e: Error): void }>();

function call(op: 'write' | 'read', bytes: Uint8Array, seg?: number | null): Promise<Uint8Array> {
  if (!worker) {
    worker = new Worker(new URL('../workers/parquet-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<{ id: number; bytes?: Uint8Array; error?: string }>) => {
      const w = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (!w) return;
      if (e.data.bytes) w.resolve(e.data.bytes);
      else w.reject(new Error(e.data.error ?? 'parquet worker failed'));
    };
  }
  const id = nextId++;
  // A copy is transferred: the caller's bytes may still be stored or reused.
  const copy = bytes.slice();
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker!.postMessage({ id, op, bytes: copy, seg }, [copy.buffer]);
  });
}

/** Parquet encode/decode in a Web Worker (parquet-wasm loaded there, from our own assets). */
export const workerParquetCodec: ParquetCodec = {
  write: (ipc) => call('write', ipc),
  read: (parquet, seg) => call('read', parquet, seg),
};
