import { tootsToIPC } from '../../src/core/arrow-batch';
import type { MastodonStatus } from '../../src/core/mastodon';
import { normalizeStatus } from '../../src/core/normalize';
import type { GenReply, GenRequest } from '../gen-worker';
import { yieldNow } from './responsiveness';
import { median, now, round } from './stats';

export interface GenOptions {
  seed: number;
  baseUrl: string;
  startTime: number;
  ratePerSecond: number;
  users: number;
}

/** The status generator in its worker: chunks of stream `data:` lines, on request. */
export async function openGenerator(opts: GenOptions) {
  const worker = new Worker(new URL('../gen-worker.ts', import.meta.url), { type: 'module' });
  const ask = (req: GenRequest) =>
    new Promise<GenReply>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<GenReply>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`gen-worker: ${e.message}`));
      worker.postMessage(req);
    });
  await ask({ op: 'init', seed: opts.seed, collectedFrom: opts.baseUrl, startTime: opts.startTime, ratePerSecond: opts.ratePerSecond, users: opts.users });
  return { chunk: (n: number) => ask({ op: 'chunk', n }), terminate: () => worker.terminate() };
}

/**
 * The main thread's per-toot steps one at a time, on an idle page: JSON.parse, normalizeStatus,
 * tootsToIPC, each over `n` statuses (several passes, the median), in ms per 10 k toots.
 */
const encoder = new TextEncoder();

export async function steps(opts: GenOptions & { n: number; passes: number }) {
  const gen = await openGenerator(opts);
  const { lines } = await gen.chunk(opts.n);
  gen.terminate();
  const parse: number[] = [];
  const encode: number[] = [];
  const normalise: number[] = [];
  const arrow: number[] = [];
  let ipcBytes = 0;
  for (let p = 0; p < opts.passes; p++) {
    const t0 = now();
    const statuses = lines.map((l) => JSON.parse(l) as MastodonStatus);
    const t1 = now();
    const received = Date.now();
    const rows = statuses.map((st) => normalizeStatus(st, opts.baseUrl, 'stream', received));
    const t2 = now();
    ipcBytes = 0;
    for (let i = 0; i < rows.length; i += 10_000) ipcBytes += tootsToIPC(rows.slice(i, i + 10_000)).byteLength;
    const t3 = now();
    // What tootsToIPC's text columns cost in TextEncoder.encodeInto alone (one call per value).
    const t4 = now();
    const buf = new Uint8Array(1 << 20);
    for (const r of rows) {
      for (const v of [r.created_at_str, r.app, r.url, r.base_url, r.language, r.username, r.mastodon_text, r.id, r.uri, r.from_instance, r.acct, r.display_name, r.spoiler_text, r.visibility, r.source]) {
        encoder.encodeInto(v, buf.subarray(0, v.length * 3));
      }
    }
    encode.push(now() - t4);
    parse.push(t1 - t0);
    normalise.push(t2 - t1);
    arrow.push(t3 - t2);
    await yieldNow();
  }
  const per10k = (xs: number[]) => round((median(xs) / opts.n) * 10_000, 1);
  return { n: opts.n, parseMsPer10k: per10k(parse), normaliseMsPer10k: per10k(normalise), arrowMsPer10k: per10k(arrow), encodeIntoMsPer10k: per10k(encode), ipcBytesPerToot: round(ipcBytes / opts.n, 1) };
}
