import type { ParquetCodec } from './snapshot';

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { resolve(parts: Uint8Array[]): void; reject(e: Error): void }>();

type Op = { op: 'write' | 'read' } | { op: 'readStored'; seg: number | null; cuts: readonly number[] };

/** `give`: the caller hands its bytes over (they are transferred, not copied, when they fill their buffer). */
function call(req: Op, bytes: Uint8Array, give = false): Promise<Uint8Array[]> {
  if (!worker) {
    worker = new Worker(new URL('../workers/parquet-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<{ id: number; parts?: Uint8Array[]; error?: string }>) => {
      const w = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (!w) return;
      if (e.data.parts) w.resolve(e.data.parts);
      else w.reject(new Error(e.data.error ?? 'parquet worker failed'));
    };
  }
  const id = nextId++;
  // Otherwise a copy is transferred: the caller's bytes may still be stored or reused.
  const copy = give && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker!.postMessage({ id, ...req, bytes: copy }, [copy.buffer]);
  });
}

/** Parquet encode/decode in a Web Worker (parquet-wasm loaded there, from our own assets). */
export const workerParquetCodec: ParquetCodec = {
  write: async (ipc) => (await call({ op: 'write' }, ipc))[0]!,
  read: async (parquet) => (await call({ op: 'read' }, parquet))[0]!,
  // A reload reads each segment from IndexedDB only to decode it: ~250 MB not copied at 1.6 M toots.
  readStored: (parquet, seg, cuts = []) => call({ op: 'readStored', seg, cuts }, parquet, true),
};
