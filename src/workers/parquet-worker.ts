/// <reference lib="webworker" />
import { loadParquet } from '../store/parquet-browser';
import { parquetCodec } from '../store/parquet-codec';

/**
 * Parquet encoding of a whole table takes seconds at a million toots: it runs here, so the page
 * keeps drawing frames while a snapshot is compacted or loaded.
 */
type Request = { id: number; op: 'write' | 'read'; bytes: Uint8Array; seg?: number | null };

const codec = loadParquet().then(parquetCodec);

self.onmessage = async (e: MessageEvent<Request>) => {
  const { id, op, bytes, seg } = e.data;
  try {
    const c = await codec;
    const out = op === 'write' ? await c.write(bytes) : await c.read(bytes, seg);
    (self as DedicatedWorkerGlobalScope).postMessage({ id, bytes: out }, [out.buffer]);
  } catch (err) {
    (self as DedicatedWorkerGlobalScope).postMessage({ id, error: (err as Error).message });
  }
};
