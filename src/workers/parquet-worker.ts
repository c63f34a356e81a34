/// <reference lib="webworker" />
import { loadParquet } from '../store/parquet/parquet-wasm-browser';
import { parquetCodec } from '../store/archive/parquet-codec';
import { loadZstd } from '../store/archive/zstd-browser';

/**
 * Parquet encoding of a whole table takes seconds at a million toots: it runs here, so the page
 * keeps drawing frames while a snapshot is compacted or loaded.
 */
export type ParquetRequest =
  | { op: 'read' }
  | { op: 'write' | 'writeSegment' | 'writeColumns'; rebuild: readonly string[] }
  | { op: 'readStored'; seg: number | null; cuts: readonly number[]; derived: readonly string[] };

export interface ParquetReply {
  id: number;
  parts?: Uint8Array[];
  /** writeSegment's columns left to rebuild. */
  derived?: string[];
  error?: string;
}

const codec = Promise.all([loadParquet(), loadZstd()]).then(([pq, zstd]) => parquetCodec(pq, zstd));

async function run(req: ParquetRequest, bytes: Uint8Array): Promise<Omit<ParquetReply, 'id'>> {
  const c = await codec;
  switch (req.op) {
    case 'write': return { parts: [await c.write(bytes, req.rebuild)] };
    case 'read': return { parts: [await c.read(bytes)] };
    case 'writeSegment': {
      const { bytes: out, derived } = await c.writeSegment(bytes, req.rebuild);
      return { parts: [out], derived };
    }
    case 'readStored': return { parts: await c.readStored(bytes, req.seg, req.cuts, req.derived) };
    case 'writeColumns': return { parts: [await c.writeColumns(bytes, req.rebuild)] };
  }
}

self.onmessage = async (e: MessageEvent<ParquetRequest & { id: number; bytes: Uint8Array }>) => {
  const { id, bytes } = e.data;
  try {
    const reply = await run(e.data, bytes);
    (self as DedicatedWorkerGlobalScope).postMessage({ id, ...reply }, reply.parts!.map((p) => p.buffer));
  } catch (err) {
    (self as DedicatedWorkerGlobalScope).postMessage({ id, error: (err as Error).message });
  }
};
