import type { ParquetReply, ParquetRequest } from '../../workers/parquet-worker';
import type { ParquetCodec } from './snapshot';

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { resolve(reply: ParquetReply): void; reject(e: Error): void }>();

/** `give`: the caller hands its bytes over (they are transferred, not copied, when they fill their buffer). */
function call(req: ParquetRequest, bytes: Uint8Array, give = false): Promise<ParquetReply> {
  if (!worker) {
    worker = new Worker(new URL('../../workers/parquet-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<ParquetReply>) => {
      const w = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (!w) return;
      if (e.data.parts) w.resolve(e.data);
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

const first = async (reply: Promise<ParquetReply>) => (await reply).parts![0]!;

/** Parquet encode/decode in a Web Worker (parquet-wasm loaded there, from our own assets). */
export const workerParquetCodec: ParquetCodec = {
  write: (ipc, rebuild = []) => first(call({ op: 'write', rebuild }, ipc)),
  async writeSegment(ipc, rebuild) {
    const reply = await call({ op: 'writeSegment', rebuild }, ipc);
    return { bytes: reply.parts![0]!, derived: reply.derived ?? [] };
  },
  writeColumns: (ipc, rebuild = []) => first(call({ op: 'writeColumns', rebuild }, ipc, true)),
  read: (parquet) => first(call({ op: 'read' }, parquet)),
  // A reload reads each segment from IndexedDB only to decode it: ~250 MB not copied at 1.6 M toots.
  readStored: async (parquet, seg, cuts = [], derived = []) => (await call({ op: 'readStored', seg, cuts, derived }, parquet, true)).parts!,
};
