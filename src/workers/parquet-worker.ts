/// <reference lib="webworker" />
import { loadParquet } from '../store/parquet-browser';
import { parquetCodec } from '../store/parquet-codec';
import { loadZstd } from '../store/zstd-browser';

/**
 * Parquet encoding of a whole table takes seconds at a million toots: it runs here, so the page
 * keeps drawing frames while a snapshot is compacted or loaded.
 */
type Request =
  | { id: number; op: 'write' | 'read'; bytes: Uint8Array }
  | { id: number; op: 'readStored'; bytes: Uint8Array; seg: number | null; cuts: number[] };

const codec = Promise.all([loadParquet(), loadZstd()]).then(([pq, zstd]) => parquetCodec(pq, zstd));

self.onmessage = async (e: MessageEvent<Request>) => {
  const req = e.data;
  try {
    const c = await codec;
    const parts = req.op === 'readStored'
      ? await c.readStored(req.bytes, req.seg, req.cuts)
      : [req.op === 'write' ? await c.write(req.bytes) : await c.read(req.bytes)];
    (self as DedicatedWorkerGlobalScope).postMessage({ id: req.id, parts }, parts.map((p) => p.buffer));
  } catch (err) {
    (self as DedicatedWorkerGlobalScope).postMessage({ id: req.id, error: (err as Error).message });
  }
};
