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
import type { MastodonStatus } from '../src/core/mastodon';
import type { Summary } from '../src/core/sql/summary';
import { ROLLUP_SUMMARY_SQL } from '../src/core/sql/rollups';
import { openBrowserDb, type BrowserDb } from '../src/db/duckdb-browser';
import { BatchStore, type StoredBatch } from '../src/store/wal/batch-store';
import { Ingest, type IngestStatus } from '../src/store/ingest';
import { LocalData } from '../src/store/local-data';
import { COMPACT_QUIET_MS } from '../src/store/archive/compaction-schedule';
import { openTableFile } from '../src/store/table-file';
import { DB_PATH, dbFileSize, prepareLog, removeDbFile } from '../src/db/opfs-file';
import { languageNames } from '../src/ui/language-names';
import { exportParquet, exportSlices } from './page/export';
import { openGenerator, steps } from './page/generator';
import { acctStorage, benchSql, liveRollup, queries } from './page/queries';
import { chartTimings, saveDashboard } from './page/charts';
import { reloadToQueryable } from './page/reload';
import { say } from './page/say';
import { closeWindow, frameDeltas, longTaskApi, openWindow, tasksIn, yieldNow, type Window0 } from './page/responsiveness';
import { median, now, percentile, round } from './page/stats';
import { codecTimes, profileDb, timedCodec } from './page/timing';

/** AppState's summary cadence (SUMMARY_EVERY_MS). */
const SUMMARY_EVERY_MS = 1000;


// ---------------------------------------------------------------------------------------------
// The app's pieces, with timers around them.

let db: BrowserDb | null = null;
let data: LocalData | null = null;

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
  // As the collecting tab does (src/ui/app-state.svelte.ts): DuckDB's table in its database file in
  // OPFS, which the reload reopens. A fresh profile has none, so this opens an empty file.
  const store = await BatchStore.open();
  const opened = await openTableFile(() => openBrowserDb({ path: DB_PATH }), () => removeDbFile(), store, () => dbFileSize(), () => prepareLog());
  db = opened.db;
  data = await LocalData.open(db, languageNames(), async () => timedCodec, { store, file: true });
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
  /** `blocks`: DuckDB's file after it (pragma_database_size), to see which checkpoint grows the file. */
  const compactions: Array<{ atRows: number; ms: number; done: boolean; blocks?: { total: number; free: number } }> = [];
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
  // Every compaction, those a full row group sets off inside a merge included (LocalData.onCompaction).
  data0.onCompaction = (run) => {
    const entry: (typeof compactions)[number] = { atRows: ingested, ms: 0, done: false };
    compactions.push(entry);
    const t0 = now();
    const p = run.then(
      async () => {
        entry.ms = now() - t0;
        entry.done = true;
        const b = await databaseBlocks(db0).catch(() => null);
        if (b) entry.blocks = { total: b.total, free: b.free };
      },
      (err: Error) => void compactionErrors.push({ atRows: entry.atRows, message: err.message }),
    );
    compacting = p;
    void p.finally(() => {
      if (compacting === p) compacting = null;
    });
  };
  const onFlushed = (_b: StoredBatch) => {
    refreshSummarySoon();
    if (data0.wantsCompaction()) data0.compact().catch(() => undefined);
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
  // Every batch passed on: Ingest may apply several waiting batches as one.
  data0.applied = async (...stored) => {
    const timing = pendingBatch;
    pendingBatch = null;
    const t0 = now();
    await origApplied(...stored);
    if (timing) timing.duckdbMs = now() - t0;
  };

  // DuckDB time per kind of statement (the merge's steps, the summary, compaction's reads).
  const prof = profileDb(db0);

  const ingest = new Ingest(data0, { onFlushed, onStatus, onStored: () => undefined });
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

    feedWindows.push(openWindow());
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
  // Untimed: the app checks every second and compacts the rows left after the last row group
  // once merges have paused (LocalData.wantsCompaction); what is at rest is measured after that.
  while (data0.wantsCompaction(Date.now() + COMPACT_QUIET_MS)) {
    if (!data0.wantsCompaction()) await new Promise((r) => setTimeout(r, 250));
    else if (!(await data0.compact().catch(() => false))) break;
  }
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
      /** DuckDB's file after each compaction, in the order of `atRows`. */
      blocks: compactions.map((c) => c.blocks ?? null),
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
    /** The Parquet archive alone (the segments the export is built from), bytes per toot. */
    archiveBytesPerToot: round((snap?.segments ?? []).reduce((n, x) => n + x.bytes, 0) / rows, 1),
    /** DuckDB's database file in OPFS (and its write-ahead log), bytes per toot. */
    dbFileBytesPerToot: round(((await dbFileSize()) ?? 0) / rows + ((await dbFileSize('tootscope.duckdb.wal')) ?? 0) / rows, 1),
    /** DuckDB's file by its blocks: free blocks are space the file holds but no table uses. */
    dbFileBlocks: await fileBlocks(),
    snapshotRows: snap?.rows ?? 0,
    snapshotBytes: snapBytes,
    batchesAfterSnapshot: live.length,
    batchRowsAfterSnapshot: live.reduce((s, b) => s + b.rows, 0),
    batchIpcBytes: ipcBytes,
  };
}

/** DuckDB's file by its blocks (`pragma_database_size`): free blocks are space the file holds but no table uses. */
async function databaseBlocks(on: BrowserDb): Promise<{ blockSize: number; total: number; used: number; free: number; wal: string } | null> {
  const [r] = await on.query<{ block_size: number; total_blocks: number; used_blocks: number; free_blocks: number; wal_size: string }>(
    'SELECT block_size::DOUBLE AS block_size, total_blocks::DOUBLE AS total_blocks, used_blocks::DOUBLE AS used_blocks, free_blocks::DOUBLE AS free_blocks, wal_size FROM pragma_database_size()',
  );
  return r ? { blockSize: r.block_size, total: r.total_blocks, used: r.used_blocks, free: r.free_blocks, wal: r.wal_size } : null;
}

async function fileBlocks(): Promise<{ blockSize: number; total: number; used: number; free: number; wal: string; byTable: Record<string, number> } | null> {
  try {
    const blocks = await databaseBlocks(requireDb());
    if (!blocks) return null;
    // Which tables the used blocks hold (distinct blocks per table; a block may be shared, so the sum can differ).
    const tables = await requireDb().query<{ t: string }>("SELECT table_name AS t FROM duckdb_tables() WHERE database_name = current_database()");
    const byTable: Record<string, number> = {};
    for (const { t } of tables) {
      const [c] = await requireDb().query<{ n: number }>(`SELECT count(DISTINCT block_id)::DOUBLE AS n FROM pragma_storage_info('${t.replaceAll("'", "''")}') WHERE persistent AND block_id >= 0`);
      if (c?.n) byTable[t] = c.n;
    }
    return { ...blocks, byTable };
  } catch {
    return null;
  }
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

/**
 * With the collecting tab gone (the driver has navigated to an idle page): what the origin stores,
 * the OPFS files one by one. An open tab's estimate also counts room the browser set aside for
 * DuckDB's open file handles, which is not data.
 */
async function closedUsage(rows: number, usageBefore: number) {
  const { usage, indexedDB } = await storageUsage();
  const files: Record<string, number> = {};
  const dir = await navigator.storage.getDirectory();
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind === 'file') files[name] = (await (handle as FileSystemFileHandle).getFile()).size;
  }
  return { usageBytes: usage - usageBefore, indexedDBBytes: indexedDB, bytesPerToot: round((usage - usageBefore) / rows, 1), files };
}

const api = {
  setup,
  /** What AppState.hide does when the page is hidden or closed: DuckDB's log into its file. */
  hide: () => requireData().checkpoint(),
  closedUsage,
  steps,
  ingest: ingestRun,
  atRest,
  memory,
  sql: benchSql,
  queries: (runs: number) => queries(requireDb(), runs),
  liveRollup: (runs: number) => liveRollup(requireDb(), runs),
  acctStorage: (runs: number) => acctStorage(requireDb(), runs),
  // The collecting tab's dashboard, then its answers saved as the app saves them for the reload.
  charts: async (runs: number) => {
    const t = await chartTimings(requireDb(), runs);
    await saveDashboard(requireDb(), requireData());
    return t;
  },
  exportParquet: (name: string | null) => exportParquet(requireData(), name),
  exportSlices: (base: string, parts: number) => exportSlices(requireDb(), base, parts),
  userAgent: () => navigator.userAgent,
};

export type BenchApi = typeof api;

declare global {
  interface Window {
    bench: BenchApi;
    benchReload?: Promise<Awaited<ReturnType<typeof reloadToQueryable>>['figures']>;
  }
}

window.bench = api;
if (new URLSearchParams(location.search).has('reload')) {
  say('reloading');
  window.benchReload = reloadToQueryable().then((r) => {
    db = r.db;
    data = r.data;
    say('reloaded');
    return r.figures;
  });
  // The driver sees only the message of a rejection: log the stack where it can be read.
  window.benchReload.catch((e: Error) => console.log(`[bench] reload failed: ${e.stack ?? e}`));
} else {
  say('idle');
}