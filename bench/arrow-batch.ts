/**
 * tootsToIPC: the current src/core/arrow-batch.ts against the implementation it replaced (one
 * TextEncoder.encodeInto per string into a len*3 buffer, BigInt per Int64 value), on 10 k
 * realistic toots: the demo generator's stream payloads, JSON.parse'd and normalised as
 * bench/bench-page.ts does. Prints ms per 10 k toots (median of several interleaved runs after a
 * warm-up) and checks that both produce the same IPC bytes.
 *
 * Node 20 has no type stripping and the repo has no tsx, so run it through Vite's module runner:
 *
 *   node -e "import('vite').then((v) => v.runnerImport('./bench/arrow-batch.ts'))"
 *
 * With ARROW_BENCH_CHROMIUM=1 the same code is bundled (rolldown, which Vite brings) and run in
 * headless Chromium (playwright-core; CHROME_PATH or /usr/bin/chromium), whose TextEncoder is the
 * one the app pays for: its per-call cost is several times Node's.
 *
 * Env: ARROW_BENCH_N (toots per batch, default 10000), ARROW_BENCH_RUNS (default 15).
 */
import {
  Bool, Field, Int32, Int64, List, RecordBatch, Struct, Table, TimeUnit, Timestamp, Utf8,
  makeData, tableToIPC, type Data,
} from 'apache-arrow';
import { TOOT_SCHEMA, tootsToIPC, tootsToRecordBatch } from '../src/core/arrow-batch';
import { StatusGenerator } from '../src/core/demo/generator';
import { statusPayload } from '../src/core/demo/stream';
import type { MastodonStatus } from '../src/core/mastodon';
import { normalizeStatus } from '../src/core/normalize';
import { TOOT_COLUMNS, type ColumnKind, type TootRow } from '../src/core/toot';

interface Options { n: number; runs: number }
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const inBrowser = typeof window !== 'undefined';

// ---- The previous implementation (commit 6145fd3), verbatim but for names ----------------------

const encoder = new TextEncoder();

function oldUtf8Data(values: string[]): Data<Utf8> {
  let capacity = 0;
  for (const v of values) capacity += v.length * 3;
  const bytes = new Uint8Array(capacity);
  const offsets = new Int32Array(values.length + 1);
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    pos += encoder.encodeInto(values[i] as string, bytes.subarray(pos)).written;
    offsets[i + 1] = pos;
  }
  return makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data: bytes.subarray(0, pos) });
}

function oldBitmap(length: number, bit: (i: number) => boolean): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bit(i)) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function oldColumnData(rows: readonly TootRow[], name: keyof TootRow, kind: ColumnKind): Data {
  const n = rows.length;
  switch (kind) {
    case 'bigint':
    case 'seconds': {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(rows[i]![name] as bigint | number);
      return makeData({ type: new Int64(), length: n, nullCount: 0, data });
    }
    case 'int': {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = rows[i]![name] as number;
      return makeData({ type: new Int32(), length: n, nullCount: 0, data });
    }
    case 'bool':
      return makeData({ type: new Bool(), length: n, nullCount: 0, data: oldBitmap(n, (i) => rows[i]![name] === true) });
    case 'text':
      return oldUtf8Data(rows.map((r) => r[name] as string));
    case 'ts': {
      const data = new BigInt64Array(n);
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const v = rows[i]![name] as number | null;
        if (v === null) nulls++;
        else data[i] = BigInt(Math.round(v)) * 1000n;
      }
      const nullBitmap = nulls ? oldBitmap(n, (i) => rows[i]![name] !== null) : undefined;
      return makeData({ type: new Timestamp(TimeUnit.MICROSECOND), length: n, nullCount: nulls, nullBitmap, data });
    }
    case 'text[]': {
      const offsets = new Int32Array(n + 1);
      const flat: string[] = [];
      for (let i = 0; i < n; i++) {
        const list = rows[i]![name] as string[];
        for (const s of list) flat.push(s);
        offsets[i + 1] = flat.length;
      }
      return makeData({ type: new List(new Field('item', new Utf8(), true)), length: n, nullCount: 0, valueOffsets: offsets, child: oldUtf8Data(flat) });
    }
  }
}

function oldTootsToRecordBatch(rows: readonly TootRow[]): RecordBatch {
  const children = TOOT_COLUMNS.map(([name, kind]) => oldColumnData(rows, name, kind));
  const data = makeData({ type: new Struct(TOOT_SCHEMA.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(TOOT_SCHEMA, data);
}

function oldTootsToIPC(rows: readonly TootRow[]): Uint8Array {
  return tableToIPC(new Table([oldTootsToRecordBatch(rows)]), 'stream');
}

// ---- Inputs -------------------------------------------------------------------------------------

function realisticRows(n: number, seed: number): TootRow[] {
  const baseUrl = 'https://mastodon.social';
  const gen = new StatusGenerator({ seed, collectedFrom: baseUrl, startTime: Date.UTC(2026, 10, 20, 18), ratePerSecond: 10, users: 150_000 });
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(statusPayload(gen.next()));
  // Parsed from JSON text, as the app gets them: V8 represents such strings as the page's would be.
  const received = Date.now();
  return lines.map((l) => normalizeStatus(JSON.parse(l) as MastodonStatus, baseUrl, 'stream', received));
}

// ---- Timing -------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

let sink = 0;

function time(f: () => Uint8Array | RecordBatch): number {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  sink += out instanceof Uint8Array ? out.byteLength : out.numRows;
  return ms;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function log(line: string): void {
  console.log(line);
}

function bench({ n: N, runs: RUNS }: Options, where: string): void {
  const rows = realisticRows(N, 6);
  // Two batches, so the timed runs alternate inputs and neither implementation times a warm cache.
  const other = realisticRows(N, 7);
  const batches = [rows, other];

  const chars = rows.reduce((a, r) => a + r.mastodon_text.length, 0);
  const nonAscii = rows.filter((r) => /[^\x00-\x7f]/.test(r.mastodon_text + r.display_name + r.spoiler_text)).length;
  log(
    `tootsToIPC: ${where}, ${N} toots per batch ` +
      `(avg text ${(chars / N).toFixed(0)} chars, ${((100 * nonAscii) / N).toFixed(0)} % with non-ASCII text), ${RUNS} runs`,
  );

  for (const b of batches) {
    if (!sameBytes(oldTootsToIPC(b), tootsToIPC(b))) throw new Error('old and new tootsToIPC bytes differ');
  }

  const per10k = (ms: number) => ((ms / N) * 10_000).toFixed(1);
  const old: number[] = [];
  const cur: number[] = [];
  const curBatch: number[] = [];
  const oldBatch: number[] = [];
  for (let w = 0; w < 3; w++) for (const b of batches) { time(() => oldTootsToIPC(b)); time(() => tootsToIPC(b)); }
  for (let r = 0; r < RUNS; r++) {
    const b = batches[r % 2]!;
    // Alternate which goes first, so neither always runs right after the other's garbage.
    if (r % 4 < 2) { old.push(time(() => oldTootsToIPC(b))); cur.push(time(() => tootsToIPC(b))); }
    else { cur.push(time(() => tootsToIPC(b))); old.push(time(() => oldTootsToIPC(b))); }
    oldBatch.push(time(() => oldTootsToRecordBatch(b)));
    curBatch.push(time(() => tootsToRecordBatch(b)));
  }
  const bytes = tootsToIPC(rows).byteLength;
  log(`  old tootsToIPC      ${per10k(median(old)).padStart(7)} ms / 10 k   (record batch only ${per10k(median(oldBatch))})`);
  log(`  new tootsToIPC      ${per10k(median(cur)).padStart(7)} ms / 10 k   (record batch only ${per10k(median(curBatch))})`);
  log(`  speed-up            ${(median(old) / median(cur)).toFixed(2)}×, IPC ${(bytes / N).toFixed(0)} bytes per toot, identical bytes (sink ${sink})`);
}

/** Bundles this file for the browser and runs it in headless Chromium, echoing what it logs. */
async function inChromium(opts: Options): Promise<void> {
  const { rolldown } = await import('rolldown');
  const { chromium } = await import('playwright-core');
  const bundle = await rolldown({ input: new URL(import.meta.url).pathname, platform: 'browser', external: ['rolldown', 'playwright-core'], logLevel: 'silent' });
  // ESM (a module script): the Node branch below has a top-level await, which an IIFE cannot hold.
  const { output } = await bundle.generate({ format: 'esm', banner: `window.__ARROW_BENCH__ = ${JSON.stringify(opts)};` });
  const browser = await chromium.launch({ executablePath: env?.CHROME_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const done = new Promise<void>((resolve, reject) => {
      page.on('console', (m) => (m.text() === '__done' ? resolve() : log(m.text())));
      page.on('pageerror', reject);
    });
    await page.goto('about:blank');
    await page.addScriptTag({ content: output[0].code, type: 'module' });
    await done;
  } finally {
    await browser.close();
  }
}

if (inBrowser) {
  const opts = (window as unknown as { __ARROW_BENCH__: Options }).__ARROW_BENCH__;
  bench(opts, `Chromium ${navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? '?'}`);
  log('__done');
} else {
  const opts: Options = { n: Number(env?.ARROW_BENCH_N ?? 10_000), runs: Number(env?.ARROW_BENCH_RUNS ?? 15) };
  const proc = (globalThis as unknown as { process: { version: string } }).process;
  log('');
  bench(opts, `node ${proc.version}`);
  // Awaited, so that Vite's module runner is still open for inChromium's imports.
  if (env?.ARROW_BENCH_CHROMIUM === '1') await inChromium(opts);
}
