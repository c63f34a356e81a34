/// <reference lib="webworker" />
/**
 * Status JSON for `npm run bench`, made off the page's thread and only when asked for, so that
 * generation is never counted as ingest: the page asks for a chunk, waits for it (untimed), then
 * times parse → normalise → Arrow → IndexedDB → DuckDB on it.
 */
import { StatusGenerator } from '../src/core/demo/generator';
import { statusPayload } from '../src/core/demo/stream';

export type GenRequest =
  | { op: 'init'; seed: number; collectedFrom: string; startTime: number; ratePerSecond: number; users: number }
  | { op: 'chunk'; n: number };

export interface GenReply {
  /** Status JSON exactly as the stream's `data:` line carries it (`statusPayload`). */
  lines: string[];
  chars: number;
  genMs: number;
  /** The generator's clock after the chunk (ms): how far the synthetic collection reaches. */
  clock: number;
}

let gen: StatusGenerator | null = null;

self.onmessage = (e: MessageEvent<GenRequest>) => {
  const req = e.data;
  if (req.op === 'init') {
    gen = new StatusGenerator({
      seed: req.seed,
      collectedFrom: req.collectedFrom,
      startTime: req.startTime,
      ratePerSecond: req.ratePerSecond,
      users: req.users,
    });
    (self as DedicatedWorkerGlobalScope).postMessage({ lines: [], chars: 0, genMs: 0, clock: gen.now } satisfies GenReply);
    return;
  }
  if (!gen) throw new Error('gen-worker: init first');
  const t0 = performance.now();
  const lines = new Array<string>(req.n);
  let chars = 0;
  for (let i = 0; i < req.n; i++) {
    const line = statusPayload(gen.next());
    chars += line.length;
    lines[i] = line;
  }
  (self as DedicatedWorkerGlobalScope).postMessage({ lines, chars, genMs: performance.now() - t0, clock: gen.now } satisfies GenReply);
};
