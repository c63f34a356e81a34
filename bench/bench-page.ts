/**
 * The page `npm run bench` drives (bench/run.mjs opens /bench/index.html on Vite's dev server).
 * It runs the app's own modules — openBrowserDb, LocalData, BatchStore, Ingest, the Parquet worker
 * codec, the SQL builders, exportTootsParquet — and exposes each step as `window.bench.*`.
 *
 * What the collecting tab does is copied from AppState (src/ui/app-state.svelte.ts), not imported:
 * JSON.parse of each stream `data:` line → `Ingest.addStatus` (normalise; Arrow IPC + IndexedDB +
 * DuckDB merge on flush, every 10 k rows or every second), after each flush the compaction policy
 * (`wantsCompaction` → `compact`), and the once-a-second summary refresh. The bench only adds
 * timers: instance-level wrappers around BatchStore/LocalData/codec methods, nothing in src/.
 *
 * On `?reload=1` the page measures reload-to-queryable by itself, from navigation start.
 */
import { tootsToIPC } from '../src/core/arrow-batch';
import type { MastodonStatus } from '../src/core/mastodon';
import { normalizeStatus } from '../src/core/normalize';
import { SUMMARY_SQL, type Summary } from '../src/core/sql/summary';
import { ROLLUP_SUMMARY_SQL } from '../src/core/sql/rollups';
import { dailySql, hourlySql, languagesSql, lengthsSql } from '../src/core/sql/charts';
import { CREATE_TABLES, TOOTS_AS_STORED } from '../src/core/sql/schema';
import { openBrowserDb, type BrowserDb } from '../src/db/duckdb-browser';
import { BatchStore, type StoredBatch } from '../src/store/batch-store';
import { Ingest, type IngestStatus } from '../src/store/ingest';
import { LocalData } from '../src/store/local-data';
import { loadParquet } from '../src/store/parquet-browser';
import { EXPORT_SQL, queryToParquet } from '../src/store/parquet-export';
import { exportStoredToots } from '../src/store/stored-export';
import { workerParquetCodec } from '../src/store/parquet-worker-client';
import type { ParquetCodec } from '../src/store/snapshot';
import { languageNames } from '../src/ui/language-names';
import type { GenReply, GenRequest } from './gen-worker';

/** AppState's summary cadence (SUMMARY_EVERY_MS). */
const SUMMARY_EVERY_MS = 1000;

const now = () => performance.now();
const statusEl = document.getElementById('status');
const say = (text: string) => {
  if (statusEl) statusEl.textContent = text;
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length ? (s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2) : NaN;
}

function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------------------------------------
// Main-thread responsiveness: requestAnimationFrame deltas and long tasks, inside timed windows.

interface Window0 {
  start: number;
  end: number;
}
const windows: Window0[] = [];
let current: Window0 | null = null;
const frameDeltas: number[] = [];
let prevFrame = 0;

function onFrame(t: number): void {
  // A delta counts when the frame it starts from lies in the open (or just closed) window, so the
  // frame that a window's last long task delayed is counted too.
  if (prevFrame && current && prevFrame >= current.start && prevFrame < current.end) frameDeltas.push(t - prevFrame);
  prevFrame = t;
  requestAnimationFrame(onFrame);
}
requestAnimationFrame(onFrame);

const longTasks: Array<{ start: number; duration: number }> = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {
  /* no long task API: reported as null */
}
const longTaskApi = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;

function openWindow(): void {
  current = { start: now(), end: Infinity };
  windows.push(current);
}
function closeWindow(): void {
  if (current) current.end = now();
}
function tasksIn(ws: readonly Window0[]) {
  return longTasks.filter((t) => ws.some((w) => t.start >= w.start && t.start < w.end));
}

/** Yields to the event loop without setTimeout's 4 ms clamp: rendering, IndexedDB and DuckDB replies run in between. */
const channel = new MessageChannel();
const yielders: Array<() => void> = [];
channel.port1.onmessage = () => yielders.shift()?.();
const yieldNow = () =>
  new Promise<void>((resolve) => {
    yielders.push(resolve);
    channel.port2.postMessage(0);
  });

// ---------------------------------------------------------------------------------------------
// The app's pieces, with timers around them.

let db: BrowserDb | null = null;
let data: LocalData | null = null;

interface CodecTimes {
  writes: number[];
  reads: number[];
}
const codecTimes: CodecTimes = { writes: [], reads: [] };
const timedCodec: ParquetCodec = {
  async write(ipc) {
    const t0 = now();
    const out = await workerParquetCodec.write(ipc);
    codecTimes.writes.push(now() - t0);
    return out;
  },
  async read(parquet) {
    const t0 = now();
    const out = await workerParquetCodec.read(parquet);
    codecTimes.reads.push(now() - t0);
    return out;
  },
  async readStored(parquet, seg, cuts) {
    const t0 = now();
    const out = await workerParquetCodec.readStored(parquet, seg, cuts);
    codecTimes.reads.push(now() - t0);
    return out;
  },
};

interface BatchTiming {
  rows: number;
  ipcBytes: number;
  /** Main thread, synchronous: from flushOnce's start to the IndexedDB put (≈ tootsToIPC). */
  arrowMs: number;
  idbMs: number;
  duckdbMs: number;
  /** Rows in `toots` before this batch (roughly: the rows the bench had ingested). */
  before: number;
}

/** `UPDATE toots`, `INSERT INTO sightings`, … : enough of a statement to tell the merge's steps apart. */
function statementLabel(sql: string): string {
  const flat = sql.trim().replace(/\s+/g, ' ');
  const m = /^(CREATE OR REPLACE (TEMP )?TABLE \w+|CREATE TABLE( IF NOT EXISTS)? \w+|INSERT INTO \w+|DELETE FROM \w+|UPDATE \w+|DROP TABLE( IF EXISTS)? \w+|BEGIN TRANSACTION|COMMIT|ROLLBACK|PRAGMA \w+)/i.exec(flat);
  if (m) return m[0];
  if (flat.startsWith('SELECT') && flat.includes('count(DISTINCT acct)')) return 'summary';
  return flat.slice(0, 40);
}

/**
 * Times every DuckDB call on `target` by kind of statement. Measured on the page, so a reply that
 * waits for a busy main thread counts that wait too: read it next to the long tasks.
 */
function profileDb(target: BrowserDb) {
  const times = new Map<string, { n: number; ms: number }>();
  const add = (label: string, ms: number) => {
    const e = times.get(label) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += ms;
    times.set(label, e);
  };
  const orig = { exec: target.exec, insertIPC: target.insertIPC, query: target.query, queryArrow: target.queryArrow };
  target.exec = async (statements) => {
    for (const sql of typeof statements === 'string' ? [statements] : statements) {
      const t0 = now();
      await orig.exec(sql);
      add(statementLabel(sql), now() - t0);
    }
  };
  target.insertIPC = async (table, ipc, opts) => {
    const t0 = now();
    await orig.insertIPC(table, ipc, opts);
    add(`insertArrowFromIPCStream ${table}`, now() - t0);
  };
  target.query = (async (sql: string) => {
    const t0 = now();
    const out = await orig.query(sql);
    add(`query: ${statementLabel(sql)}`, now() - t0);
    return out;
  }) as BrowserDb['query'];
  target.queryArrow = async (sql) => {
    const t0 = now();
    const out = await orig.queryArrow(sql);
    add(`queryArrow: ${statementLabel(sql)}`, now() - t0);
    return out;
  };
  return {
    restore: () => void Object.assign(target, orig),
    table: () => Object.fromEntries([...times].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => [k, { n: v.n, ms: round(v.ms) }])),
  };
}

interface GenOptions {
  seed: number;
  baseUrl: string;
  startTime: number;
  ratePerSecond: number;
  users: number;
}

/** The status generator in its worker: chunks of stream `data:` lines, on request. */
async function openGenerator(opts: GenOptions) {
  const worker = new Worker(new URL('./gen-worker.ts', import.meta.url), { type: 'module' });
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

async function steps(opts: GenOptions & { n: number; passes: number }) {
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

function requireDb(): BrowserDb {
  if (!db) throw new Error('bench: no database (call setup() first)');
  return db;
}
function requireData(): LocalData {
  if (!data) throw new Error('bench: no LocalData (call setup() first)');
  return data;
}

async function storageUsage(): Promise<{ usage: number; indexedDB: number | null }> {
  const e = (await navigator.storage.estimate()) as StorageEstimate & { usageDetails?: { indexedDB?: number } };
  return { usage: e.usage ?? 0, indexedDB: e.usageDetails?.indexedDB ?? null };
}

async function setup(): Promise<{ bundle: string; threads: string; openMs: number; usageBefore: number; crossOriginIsolated: boolean; longTaskApi: boolean }> {
  const t0 = now();
  db = await openBrowserDb();
  data = await LocalData.open(db, languageNames(), async () => timedCodec, await BatchStore.open());
  const openMs = now() - t0;
  const { usage } = await storageUsage();
  const [t] = await db.query<{ t: string }>("SELECT current_setting('threads')::VARCHAR AS t");
  say('ready');
  return { bundle: db.bundle, threads: t?.t ?? '?', openMs: round(openMs), usageBefore: usage, crossOriginIsolated: globalThis.crossOriginIsolated, longTaskApi };
}

// ---------------------------------------------------------------------------------------------
// Ingest

export interface IngestOptions {
  n: number;
  chunk: number;
  seed: number;
  startTime: number;
  ratePerSecond: number;
  users: number;
  baseUrl: string;
  /** Main-thread time the feeder spends per task before yielding (ms). */
  sliceMs: number;
}

async function ingestRun(opts: IngestOptions) {
  const data0 = requireData();
  const db0 = requireDb();
  const errors: string[] = [];
  /** The app only shows a notice when compaction fails and keeps collecting: so does the bench. */
  const compactionErrors: Array<{ atRows: number; message: string }> = [];
  const batches: BatchTiming[] = [];
  let ingested = 0;

  // ---- AppState's collector behaviour: compaction after flushes, summary once a second.
  let summary: Summary | null = null;
  const summaryMs: number[] = [];
  let summaryTimer: ReturnType<typeof setTimeout> | null = null;
  let summaryRunning: Promise<void> | null = null;
  let summaryDirty = false;
  const compactions: Array<{ atRows: number; ms: number; done: boolean }> = [];
  let compacting: Promise<unknown> | null = null;

  const refreshSummary = async () => {
    summaryDirty = false;
    const t0 = now();
    const [s] = await db0.query<Summary>(ROLLUP_SUMMARY_SQL);
    summaryMs.push(now() - t0);
    summary = s ?? null;
    await db0.memoryBytes();
    await navigator.storage.estimate();
  };
  const refreshSummarySoon = () => {
    summaryDirty = true;
    if (summaryTimer || summaryRunning) return;
    summaryTimer = setTimeout(() => {
      summaryTimer = null;
      summaryRunning = refreshSummary()
        .catch((err: Error) => void errors.push(`summary: ${err.message}`))
        .finally(() => {
          summaryRunning = null;
          if (summaryDirty) refreshSummarySoon();
        });
    }, SUMMARY_EVERY_MS);
  };
  const onFlushed = (_b: StoredBatch) => {
    refreshSummarySoon();
    if (data0.wantsCompaction()) {
      const entry = { atRows: ingested, ms: 0, done: false };
      compactions.push(entry);
      const t0 = now();
      const p = data0.compact().then(
        () => {
          entry.ms = now() - t0;
          entry.done = true;
        },
        (err: Error) => void compactionErrors.push({ atRows: entry.atRows, message: err.message }),
      );
      compacting = p;
      void p.finally(() => {
        if (compacting === p) compacting = null;
      });
    }
  };
  const onStatus = (s: IngestStatus) => {
    if (s.state !== 'ok') errors.push(`ingest: ${s.message}`);
  };

  // ---- Timers around the flush's steps (instance-level wrappers; the app code is untouched).
  const store = data0.store;
  let flushStartedAt = 0;
  let pendingBatch: BatchTiming | null = null;
  const origAppend = store.append.bind(store);
  store.append = async (batch, rows) => {
    const t0 = now();
    const timing: BatchTiming = { rows, ipcBytes: batch.ipc?.byteLength ?? 0, arrowMs: t0 - flushStartedAt, idbMs: 0, duckdbMs: 0, before: ingested };
    const stored = await origAppend(batch, rows);
    timing.idbMs = now() - t0;
    pendingBatch = timing;
    batches.push(timing);
    return stored;
  };
  const origApplied = data0.applied.bind(data0);
  data0.applied = async (batch) => {
    const timing = pendingBatch;
    pendingBatch = null;
    const t0 = now();
    await origApplied(batch);
    if (timing) timing.duckdbMs = now() - t0;
  };

  // DuckDB time per kind of statement (the merge's steps, the summary, compaction's reads).
  const prof = profileDb(db0);

  const ingest = new Ingest(data0, onFlushed, onStatus);
  const ingestInternals = ingest as unknown as { flushOnce(): Promise<void> };
  const origFlushOnce = ingestInternals.flushOnce.bind(ingest);
  ingestInternals.flushOnce = () => {
    flushStartedAt = now();
    return origFlushOnce();
  };

  const drain = async () => {
    for (;;) {
      await ingest.flush();
      if (ingest.pending) continue;
      if (compacting) {
        await compacting;
        continue;
      }
      if (summaryRunning) {
        await summaryRunning;
        continue;
      }
      break;
    }
  };

  // ---- Generation (untimed) and feeding (timed), chunk by chunk.
  const gen = await openGenerator(opts);
  let timedMs = 0;
  let genMs = 0;
  let chars = 0;
  let parseMs = 0;
  let addMs = 0;
  let lastClock = opts.startTime;
  const usageBefore = (await storageUsage()).usage;
  const feedWindows: Window0[] = [];
  const parsed: MastodonStatus[] = new Array(16);
  ingest.start();

  for (let done = 0; done < opts.n; ) {
    const n = Math.min(opts.chunk, opts.n - done);
    const reply = await gen.chunk(n);
    genMs += reply.genMs;
    chars += reply.chars;
    lastClock = reply.clock;
    const lines = reply.lines;
    say(`ingesting ${done}…${done + n} of ${opts.n}`);

    openWindow();
    feedWindows.push(current!);
    const t0 = now();
    let i = 0;
    while (i < lines.length) {
      const sliceEnd = now() + opts.sliceMs;
      do {
        const a = now();
        const k = Math.min(16, lines.length - i);
        for (let j = 0; j < k; j++) parsed[j] = JSON.parse(lines[i + j]!) as MastodonStatus;
        const b = now();
        for (let j = 0; j < k; j++) {
          ingest.addStatus(parsed[j]!, opts.baseUrl, 'stream');
          ingested++;
        }
        i += k;
        const c = now();
        parseMs += b - a;
        addMs += c - b;
      } while (i < lines.length && now() < sliceEnd);
      await yieldNow();
    }
    await drain();
    timedMs += now() - t0;
    closeWindow();
    done += n;
    console.log(`[bench] ${done} toots: ${round(timedMs / 1000, 1)} s timed, ${Math.round(done / (timedMs / 1000))} toots/s, ${batches.length} batches, ${compactions.length} compactions`);
  }
  ingest.stop();
  gen.terminate();
  if (summaryTimer) clearTimeout(summaryTimer);
  await drain();
  // The bench's wrappers stay on these instances; take them off so later steps run the app's code.
  store.append = origAppend;
  prof.restore();
  data0.applied = origApplied;

  const [{ n: rows }] = (await db0.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots')) as [{ n: number }];
  const tasks = tasksIn(feedWindows);
  const arrowMs = batches.reduce((s, b) => s + b.arrowMs, 0);
  // The first and last tenth of the batches: how the DuckDB merge grows with the table.
  const tenth = Math.max(1, Math.floor(batches.length / 10));
  const perTenK = (bs: BatchTiming[], f: (b: BatchTiming) => number) => {
    const r = bs.reduce((s, b) => s + b.rows, 0);
    return r ? round((bs.reduce((s, b) => s + f(b), 0) / r) * 10_000, 1) : NaN;
  };
  const firstB = batches.slice(0, tenth);
  const lastB = batches.slice(-tenth);
  return {
    n: opts.n,
    rows,
    errors,
    compactionErrors,
    timedMs: round(timedMs),
    toots_per_s: round(opts.n / (timedMs / 1000), 0),
    generation: { ms: round(genMs), chars, avgChars: round(chars / opts.n, 1), spanDays: round((lastClock - opts.startTime) / 86_400_000, 2) },
    mainThread: {
      parseMs: round(parseMs),
      /** addStatus: normalise, plus the synchronous start of a flush when it hits 10 k rows (Arrow). */
      addStatusMs: round(addMs),
      arrowMs: round(arrowMs),
      frames: frameDeltas.length,
      frameP50: round(percentile(frameDeltas, 0.5)),
      frameP95: round(percentile(frameDeltas, 0.95)),
      frameP99: round(percentile(frameDeltas, 0.99)),
      frameMax: round(Math.max(0, ...frameDeltas)),
      longTasks: longTaskApi ? tasks.length : null,
      longTaskMs: longTaskApi ? round(tasks.reduce((s, t) => s + t.duration, 0)) : null,
      longTaskMax: longTaskApi ? round(Math.max(0, ...tasks.map((t) => t.duration))) : null,
    },
    batches: {
      count: batches.length,
      medianRows: median(batches.map((b) => b.rows)),
      maxRows: Math.max(0, ...batches.map((b) => b.rows)),
      ipcBytes: batches.reduce((s, b) => s + b.ipcBytes, 0),
      idbMs: round(batches.reduce((s, b) => s + b.idbMs, 0)),
      duckdbMs: round(batches.reduce((s, b) => s + b.duckdbMs, 0)),
      arrowMsPer10k: perTenK(batches, (b) => b.arrowMs),
      idbMsPer10k: perTenK(batches, (b) => b.idbMs),
      duckdbMsPer10kFirst: perTenK(firstB, (b) => b.duckdbMs),
      duckdbMsPer10kLast: perTenK(lastB, (b) => b.duckdbMs),
    },
    compactions: {
      count: compactions.length,
      failed: compactionErrors.length,
      ms: round(compactions.reduce((s, c) => s + c.ms, 0)),
      lastMs: round(compactions.at(-1)?.ms ?? 0),
      atRows: compactions.map((c) => c.atRows),
      parquetWriteMs: round(codecTimes.writes.reduce((s, x) => s + x, 0)),
    },
    duckdbStatements: prof.table(),
    liveSummary: { count: summaryMs.length, medianMs: round(median(summaryMs)), maxMs: round(Math.max(0, ...summaryMs)) },
    usageBefore,
  };
}

// ---------------------------------------------------------------------------------------------
// At rest, memory

async function atRest(rows: number, usageBefore: number) {
  const store = requireData().store;
  // Let IndexedDB settle (deleted batches, LevelDB compaction), then ask what the origin uses.
  await new Promise((r) => setTimeout(r, 2000));
  const { usage, indexedDB } = await storageUsage();
  const batches = await store.loadAfter(-1);
  const snap = await store.snapshot();
  const snapSeq = snap?.upToSeq ?? -1;
  const live = batches.filter((b) => b.seq > snapSeq);
  const ipcBytes = live.reduce((s, b) => s + (b.ipc?.byteLength ?? 0), 0);
  const snapBytes = snap ? (snap.segments ?? []).reduce((n, x) => n + x.bytes, 0) + (snap.toots?.byteLength ?? 0) + (snap.sightings?.byteLength ?? 0) + (snap.tombstones?.byteLength ?? 0) + (snap.deletedUris?.byteLength ?? 0) : 0;
  return {
    usageBytes: usage - usageBefore,
    indexedDBBytes: indexedDB,
    bytesPerToot: round((usage - usageBefore) / rows, 1),
    storedValueBytes: ipcBytes + snapBytes,
    storedBytesPerToot: round((ipcBytes + snapBytes) / rows, 1),
    snapshotRows: snap?.rows ?? 0,
    snapshotBytes: snapBytes,
    batchesAfterSnapshot: live.length,
    batchRowsAfterSnapshot: live.reduce((s, b) => s + b.rows, 0),
    batchIpcBytes: ipcBytes,
  };
}

async function memory() {
  const db0 = requireDb();
  const databaseSize = await db0.memoryBytes();
  let duckdbMemory: number | null = null;
  // Where it goes (DuckDB's memory tags: IN_MEMORY_TABLE, OVERFLOW_STRINGS, ...), MB.
  const tags: Record<string, number> = {};
  try {
    const rows = await db0.query<{ tag: string; b: number }>('SELECT tag, memory_usage_bytes::DOUBLE AS b FROM duckdb_memory() WHERE memory_usage_bytes > 0');
    duckdbMemory = rows.reduce((a, r) => a + r.b, 0);
    for (const r of rows) tags[r.tag] = round(r.b / 1e6, 1);
  } catch {
    duckdbMemory = null;
  }
  return { databaseSizeBytes: databaseSize, duckdbMemoryBytes: duckdbMemory, tags };
}

// ---------------------------------------------------------------------------------------------
// Reload to queryable: runs by itself on ?reload=1, from navigation start (performance.now() = 0).

async function reloadToQueryable() {
  const modulesMs = now();
  const store = await BatchStore.open();
  let idbSnapshotMs = 0;
  let idbBatchesMs = 0;
  let batchesReplayed = 0;
  const origSnapshot = store.snapshot.bind(store);
  store.snapshot = async () => {
    const t0 = now();
    const s = await origSnapshot();
    idbSnapshotMs += now() - t0;
    return s;
  };
  const origLoadAfter = store.loadAfter.bind(store);
  store.loadAfter = async (seq) => {
    const t0 = now();
    const bs = await origLoadAfter(seq);
    idbBatchesMs += now() - t0;
    batchesReplayed += bs.length;
    return bs;
  };
  const reads0 = codecTimes.reads.length;
  const t0 = now();
  db = await openBrowserDb();
  const dbOpenMs = now() - t0;
  const prof = profileDb(db);
  const t1 = now();
  data = await LocalData.open(db, languageNames(), async () => timedCodec, store);
  const localDataOpenMs = now() - t1;
  const t2 = now();
  const [s] = await db.query<Summary>(SUMMARY_SQL);
  const summaryMs = now() - t2;
  const totalMs = now();
  prof.restore();
  store.snapshot = origSnapshot;
  store.loadAfter = origLoadAfter;
  const parquetReadMs = codecTimes.reads.slice(reads0).reduce((a, b) => a + b, 0);
  say('reloaded');
  return {
    totalMs: round(totalMs),
    modulesMs: round(modulesMs),
    dbOpenMs: round(dbOpenMs),
    localDataOpenMs: round(localDataOpenMs),
    idbSnapshotMs: round(idbSnapshotMs),
    parquetReadMs: round(parquetReadMs),
    idbBatchesMs: round(idbBatchesMs),
    batchesReplayed,
    /** LocalData.open minus the IndexedDB reads and the Parquet decode: DuckDB inserting and merging. */
    duckdbLoadMs: round(localDataOpenMs - idbSnapshotMs - parquetReadMs - idbBatchesMs),
    summaryMs: round(summaryMs),
    rows: s?.toots ?? 0,
    duckdbStatements: prof.table(),
  };
}

// ---------------------------------------------------------------------------------------------
// Queries: the SQL is also handed to the driver, which runs the very same text in native DuckDB.

function benchSql() {
  const names = languageNames();
  const values = names.map(([c, n]) => `('${c.replaceAll("'", "''")}', '${n.replaceAll("'", "''")}')`).join(', ');
  return {
    create: [...CREATE_TABLES],
    storedColumns: TOOTS_AS_STORED,
    language: `INSERT INTO language VALUES ${values}`,
    queries: {
      summary: SUMMARY_SQL,
      daily: dailySql({}),
      hourly: hourlySql({}),
      languages: languagesSql({}),
      lengths: lengthsSql({}),
    } as Record<string, string>,
  };
}

async function timeQuery(sql: string, runs: number) {
  const db0 = requireDb();
  const t = now();
  const rows = await db0.query(sql); // warm-up
  const warmMs = now() - t;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await db0.query(sql);
    times.push(now() - t0);
  }
  return { ms: round(median(times)), min: round(Math.min(...times)), max: round(Math.max(...times)), warmMs: round(warmMs), rows: rows.length, result: rows.length === 1 ? rows[0] : undefined };
}

async function queries(runs: number) {
  const out: Record<string, Awaited<ReturnType<typeof timeQuery>>> = {};
  for (const [name, sql] of Object.entries(benchSql().queries)) {
    say(`query ${name}`);
    out[name] = await timeQuery(sql, runs);
  }
  return out;
}

/**
 * The live summary as the app computes it (AppState.refreshSummary): ROLLUP_SUMMARY_SQL over the
 * rollups every merge maintains (src/core/sql/rollups.ts), checked against the full summary.
 */
async function liveRollup(runs: number) {
  const db0 = requireDb();
  const timing = await timeQuery(ROLLUP_SUMMARY_SQL, runs);
  const [exact] = await db0.query<Summary>(SUMMARY_SQL);
  const r = timing.result as Summary | undefined;
  const same = !!r && !!exact && (Object.keys(exact) as Array<keyof Summary>).every((k) => Math.abs(r[k] - exact[k]) <= 1e-9 * Math.max(1, Math.abs(exact[k])));
  const [keys] = await db0.query<{ n: number }>(
    'SELECT ((SELECT count(*) FROM rollup_authors) + (SELECT count(*) FROM rollup_instances) + (SELECT count(*) FROM rollup_languages) + (SELECT count(*) FROM rollup_lengths))::INTEGER AS n',
  );
  return { source: 'app-rollups', ms: timing.ms, buildMs: null, hourRows: keys?.n ?? 0, matchesSummary: same };
}

// ---------------------------------------------------------------------------------------------
// Export: the Export button's path (exportStoredToots: the stored segments' row groups copied,
// the rows no clean segment holds encoded in the Parquet worker), then the bytes go to the
// driver's upload endpoint so native DuckDB reads exactly this data.

async function exportParquet(name: string | null) {
  const data0 = requireData();
  say('export');
  const loadMs = 0;
  openWindow();
  const w = current!;
  const t0 = now();
  const { parts, bytes: size } = await exportStoredToots(data0, workerParquetCodec);
  const ms = now() - t0;
  closeWindow();
  const tasks = tasksIn([w]);
  let uploadMs = 0;
  if (name) {
    const tu = now();
    const res = await fetch(`/__bench/upload?name=${encodeURIComponent(name)}`, { method: 'POST', body: new Blob(parts as BlobPart[]) });
    if (!res.ok) throw new Error(`upload failed: ${res.status}`);
    uploadMs = now() - tu;
  }
  return {
    seconds: round(ms / 1000, 3),
    bytes: size,
    parquetLoadMs: round(loadMs),
    longTaskMax: longTaskApi ? round(Math.max(0, ...tasks.map((t) => t.duration))) : null,
    longTaskMs: longTaskApi ? round(tasks.reduce((s, t) => s + t.duration, 0)) : null,
    uploadMs: round(uploadMs),
  };
}

/**
 * A fallback so native DuckDB still gets exactly this data when the app's one-piece export fails
 * (e.g. duckdb-wasm cannot allocate the whole result): `parts` Parquet files, each the app's
 * queryToParquet over a hash slice of `toots`, same columns. Not timed as the export.
 */
async function exportSlices(base: string, parts: number) {
  const db0 = requireDb();
  const pq = await loadParquet();
  const names: string[] = [];
  const cols = EXPORT_SQL.slice('SELECT '.length, EXPORT_SQL.indexOf(' FROM toots'));
  let bytes = 0;
  for (let i = 0; i < parts; i++) {
    say(`export slice ${i + 1}/${parts}`);
    const part = await queryToParquet(db0, pq, `SELECT ${cols} FROM toots WHERE hash(uri) % ${parts} = ${i}`);
    const name = `${base}-part${i}.parquet`;
    const res = await fetch(`/__bench/upload?name=${encodeURIComponent(name)}`, { method: 'POST', body: new Blob([part as Uint8Array<ArrayBuffer>]) });
    if (!res.ok) throw new Error(`upload failed: ${res.status}`);
    bytes += part.byteLength;
    names.push(name);
  }
  return { names, bytes };
}

const api = {
  setup,
  steps,
  ingest: ingestRun,
  atRest,
  memory,
  sql: benchSql,
  queries,
  liveRollup,
  exportParquet,
  exportSlices,
  userAgent: () => navigator.userAgent,
};

export type BenchApi = typeof api;

declare global {
  interface Window {
    bench: BenchApi;
    benchReload?: Promise<Awaited<ReturnType<typeof reloadToQueryable>>>;
  }
}

window.bench = api;
if (new URLSearchParams(location.search).has('reload')) {
  say('reloading');
  window.benchReload = reloadToQueryable();
  // The driver sees only the message of a rejection: log the stack where it can be read.
  window.benchReload.catch((e: Error) => console.log(`[bench] reload failed: ${e.stack ?? e}`));
} else {
  say('idle');
}
