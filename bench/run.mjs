/**
 * `npm run bench` (issue 6): the app's ingest and query pipeline in headless Chromium, at 100 k and
 * 1.6 M toots, against native DuckDB on the same data.
 *
 *   node bench/run.mjs [--sizes 100000,1622149] [--runs 3,1] [--query-runs 7] [--chunk 100000]
 *                      [--slice-ms 8] [--idle-wait 120] [--no-docs]
 *                      [--out docs/bench/latest.json]
 *
 * For each size and run: a fresh Chromium profile opens /bench/index.html on Vite's dev server
 * (bench/bench-page.ts imports the app's modules), ingests N generated statuses as the stream
 * delivers them, measures storage at rest, reloads to time reload-to-queryable, then memory, the
 * panels' queries, the live summary over the app's rollups, and the Parquet export, whose file lands in
 * bench/out/. Native DuckDB (@duckdb/node-api) then loads that file and runs the same SQL text with
 * threads=1 and threads=2. Figures are medians over runs (queries: medians of --query-runs after a
 * warm-up, per run; --runs gives runs per size, the last number repeating). Prints a table, writes docs/bench/latest.json (the largest size) and appends a
 * dated section to docs/BENCHMARKS.md (skip with --no-docs).
 *
 * The machine may be shared: before each run the driver waits (up to --idle-wait seconds) for the
 * CPUs to be ≥ 80 % idle over 5 s, and records how idle they were and the load average after.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium } from 'playwright-core';
import { createLogger, createServer } from 'vite';
import { findChromium } from '../scripts/find-chromium.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = path.join(ROOT, 'bench/out');

// ---------------------------------------------------------------------------------------------
// Options

/** DuckDB's memory by tag, largest first: `IN_MEMORY_TABLE 512.3, OVERFLOW_STRINGS 55.1 MB`. */
const tagList = (tags) => Object.entries(tags ?? {}).sort((a, b) => b[1] - a[1]).map(([t, v]) => `${t} ${v}`).join(', ') + ' MB';

function parseArgs(argv) {
  const opts = {
    sizes: [100_000, 1_622_149],
    runs: [3, 1],
    queryRuns: 7,
    chunk: 100_000,
    sliceMs: 8,
    docs: true,
    out: 'docs/bench/latest.json',
    seed: 6,
    idleWait: 120,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => inline ?? next();
    switch (flag) {
      case '--sizes': opts.sizes = val().split(',').map((s) => Number(s.replace(/_/g, ''))).filter((n) => n > 0); break;
      case '--runs': opts.runs = val().split(',').map((x) => Math.max(1, Number(x) || 1)); break;
      case '--query-runs': opts.queryRuns = Math.max(5, Number(val())); break;
      case '--chunk': opts.chunk = Math.max(1000, Number(val())); break;
      case '--slice-ms': opts.sliceMs = Math.max(1, Number(val())); break;
      case '--seed': opts.seed = Number(val()); break;
      case '--idle-wait': opts.idleWait = Math.max(0, Number(val())); break;
      case '--out': opts.out = val(); break;
      case '--no-docs': opts.docs = false; break;
      case '--help': case '-h':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (!opts.sizes.length) throw new Error('--sizes: no size');
  return opts;
}

const OPTS = parseArgs(process.argv.slice(2));
/** Statuses per second per toot wanted: spreads any size over about a week of posts (measured 6.9 days). */
const SPAN_RATE_PER_TOOT = 1.686e-6;
const START_TIME = Date.UTC(2026, 10, 10);
const BASE_URL = 'https://mastodon.social';

// ---------------------------------------------------------------------------------------------
// Helpers

const log = (...xs) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median of every numeric leaf across runs (same shape); other leaves from the first run. */
function medianOf(runs) {
  const present = runs.filter((r) => r !== undefined && r !== null);
  const first = present[0];
  if (first === undefined) return runs.length && runs.every((r) => r === null) ? null : undefined;
  if (typeof first === 'number') return median(present);
  if (Array.isArray(first) || typeof first !== 'object') return first;
  const out = {};
  for (const k of Object.keys(first)) out[k] = medianOf(present.map((r) => r?.[k]));
  return out;
}

const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
const mb = (b) => (b == null ? null : Math.round((b / 1e6) * 10) / 10);
const fmt = (x, unit = '') => (x == null || Number.isNaN(x) ? '–' : `${typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: 2 }) : x}${unit}`);

function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Share of CPU time idle over `ms` (all cores), or null where /proc/stat is missing. */
async function cpuIdle(ms) {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  return a && b && b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : null;
}

async function waitForIdle() {
  const t0 = Date.now();
  for (;;) {
    const idle = await cpuIdle(5000);
    const waited = Math.round((Date.now() - t0) / 1000);
    if (idle === null || idle >= 0.8 || waited >= OPTS.idleWait) {
      if (idle !== null && idle < 0.8) log(`  machine still busy after ${waited} s (${Math.round(idle * 100)} % idle): measuring anyway`);
      return { cpuIdleBefore: idle === null ? null : Math.round(idle * 100) / 100, waitedS: waited };
    }
    log(`  waiting for an idle machine: ${Math.round(idle * 100)} % idle`);
  }
}

function machine(executablePath) {
  let chromiumVersion = 'unknown';
  try {
    chromiumVersion = execFileSync(executablePath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* leave unknown */
  }
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench', 'vite.config.ts']).split('\n').filter(Boolean);
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    chromium: chromiumVersion,
    duckdbWasm: pkg('@duckdb/duckdb-wasm'),
    duckdbNative: pkg('@duckdb/node-api'),
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommitted: dirty,
  };
}

// ---------------------------------------------------------------------------------------------
// Vite dev server with an upload endpoint for the exported Parquet

function uploadPlugin() {
  return {
    name: 'tootscope-bench-upload',
    configureServer(server) {
      server.middlewares.use('/__bench/upload', (req, res) => {
        const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '';
        if (req.method !== 'POST' || !/^[\w.-]+\.parquet$/.test(name)) {
          res.statusCode = 400;
          res.end('bad upload');
          return;
        }
        mkdirSync(OUT_DIR, { recursive: true });
        const file = createWriteStream(path.join(OUT_DIR, name));
        req.pipe(file);
        file.on('finish', () => res.end('ok'));
        file.on('error', (err) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      });
    },
  };
}

async function startVite() {
  // duckdb-wasm's worker ships source maps pointing outside its package: Vite warns once per file.
  const logger = createLogger('warn');
  const quiet = (msg) => /Sourcemap for .* points to a source file outside its package/.test(msg);
  const warn = logger.warn.bind(logger);
  const warnOnce = logger.warnOnce.bind(logger);
  logger.warn = (msg, o) => void (quiet(msg) || warn(msg, o));
  logger.warnOnce = (msg, o) => void (quiet(msg) || warnOnce(msg, o));
  const server = await createServer({
    root: ROOT,
    customLogger: logger,
    clearScreen: false,
    // No file watching and no HMR: other people edit src/ while a run can last many minutes, and a
    // full reload would wreck it. Modules are transformed once, when first asked for.
    server: { host: '127.0.0.1', port: 5190, strictPort: false, hmr: false, watch: null },
    optimizeDeps: { entries: ['bench/index.html'] },
    plugins: [uploadPlugin()],
  });
  await server.listen();
  const url = server.resolvedUrls?.local?.[0];
  if (!url) throw new Error('vite: no local URL');
  return { server, url: url.replace(/\/$/, '') };
}

// ---------------------------------------------------------------------------------------------
// One browser run at one size

async function launch(executablePath) {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    // The same flags as test/e2e/support/browser.ts, plus room for 100 k-status chunks of JSON.
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--js-flags=--max-old-space-size=8192',
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function browserRun(executablePath, baseUrl, size, parquetName) {
  const res = { machineLoad: await waitForIdle(), error: null };
  const { context, close } = await launch(executablePath);
  // Each step's result is kept as it comes, so a crash late in a run (say, out of memory in the
  // export) still leaves the earlier figures, and the error says where it stopped.
  const step = async (name, fn) => {
    try {
      res[name] = await fn();
      return res[name];
    } catch (err) {
      res.error = `${name}: ${err.message.split('\n')[0]}`;
      throw err;
    }
  };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('[bench]') || m.type() === 'error' || m.type() === 'warning') log(`  page ${m.type()}: ${t}`);
    });
    page.on('pageerror', (err) => log(`  page error: ${err.message}`));
    page.on('crash', () => log('  page CRASHED'));
    page.setDefaultTimeout(0);
    await page.goto(`${baseUrl}/bench/index.html`);
    await page.waitForFunction(() => typeof window.bench === 'object');
    res.userAgent = await page.evaluate(() => window.bench.userAgent());

    const setup = await step('setup', () => page.evaluate(() => window.bench.setup()));
    log(`  setup: ${setup.bundle} bundle, threads ${setup.threads}, ${setup.openMs} ms, crossOriginIsolated=${setup.crossOriginIsolated}`);
    const ingestOpts = {
      n: size,
      chunk: OPTS.chunk,
      seed: OPTS.seed,
      startTime: START_TIME,
      ratePerSecond: size * SPAN_RATE_PER_TOOT,
      users: 150_000,
      baseUrl: BASE_URL,
      sliceMs: OPTS.sliceMs,
    };
    const ingest = await step('ingest', () => page.evaluate((o) => window.bench.ingest(o), ingestOpts));
    if (ingest.errors.length) throw new Error(`ingest errors: ${ingest.errors.slice(0, 3).join('; ')}`);
    log(`  ingest: ${ingest.rows} rows, ${ingest.toots_per_s} toots/s, frame p95 ${ingest.mainThread.frameP95} ms, ${ingest.compactions.count} compactions`);
    if (ingest.compactionErrors.length) {
      const c = ingest.compactionErrors;
      log(`  ${c.length} compaction(s) failed, first at ${c[0].atRows} rows: ${c[0].message}`);
    }
    await step('sql', () => page.evaluate(() => window.bench.sql()));
    const rest = await step('rest', () => page.evaluate(([rows, before]) => window.bench.atRest(rows, before), [ingest.rows, ingest.usageBefore]));
    const memIngest = await step('memIngest', () => page.evaluate(() => window.bench.memory()));
    log(`  at rest: ${rest.bytesPerToot} B/toot (estimate), ${rest.storedBytesPerToot} B/toot (stored values); DuckDB ${mb(memIngest.databaseSizeBytes)} MB (${tagList(memIngest.tags)})`);
    const steps = await step('steps', () => page.evaluate((o) => window.bench.steps(o), { ...ingestOpts, seed: OPTS.seed + 1, n: 20_000, passes: 3 }));
    log(`  steps on an idle page, ms per 10 k: JSON.parse ${steps.parseMsPer10k}, normalise ${steps.normaliseMsPer10k}, Arrow IPC ${steps.arrowMsPer10k}`);

    // Queries, rollup and export first, on the tab that collected: they do not depend on the reload
    // working (at 1.6 M it may not), and this is the table a person who keeps the tab open queries.
    const queries = await step('queries', () => page.evaluate((n) => window.bench.queries(n), OPTS.queryRuns));
    log(`  queries: ${Object.entries(queries).map(([k, v]) => `${k} ${v.ms} ms`).join(', ')}`);
    await step('live', () => page.evaluate((n) => window.bench.liveRollup(n), OPTS.queryRuns));
    let exportError = null;
    try {
      const exp = await step('export', () => page.evaluate((name) => window.bench.exportParquet(name), parquetName));
      if (process.env.BENCH_FORCE_SLICES) throw new Error('BENCH_FORCE_SLICES set (testing the fallback)');
      log(`  export: ${exp.seconds} s, ${mb(exp.bytes)} MB`);
      res.parquetFiles = [parquetName];
    } catch (err) {
      // The app's export failed: report it, and still give native DuckDB the same rows, in slices.
      exportError = res.error ?? err.message.split('\n')[0];
      res.exportError = exportError;
      res.error = null;
      log(`  export failed (${exportError}); exporting in slices for native DuckDB`);
      const parts = Math.max(2, Math.ceil(ingest.rows / 300_000));
      const sl = await step('exportSlices', () => page.evaluate(([base, k]) => window.bench.exportSlices(base, k), [parquetName.replace(/\.parquet$/, ''), parts]));
      res.parquetFiles = sl.names;
    }

    // Reload: a navigation to the same page, which opens the stored data by itself.
    const reload = await step('reload', async () => {
      await page.goto(`${baseUrl}/bench/index.html?reload=1`);
      await page.waitForFunction(() => window.benchReload !== undefined);
      return page.evaluate(() => window.benchReload);
    });
    log(`  reload to queryable: ${reload.totalMs} ms (${reload.rows} rows)`);
    const memReload = await step('memReload', () => page.evaluate(() => window.bench.memory()));
    log(`  DuckDB after reload: ${mb(memReload.databaseSizeBytes)} MB (${tagList(memReload.tags)})`);
    const again = await step('queriesAfterReload', () => page.evaluate((n) => window.bench.queries(n), OPTS.queryRuns));
    log(`  queries after reload: ${Object.entries(again).map(([k, v]) => `${k} ${v.ms} ms`).join(', ')}`);
    if (exportError) res.error = exportError.startsWith('export:') ? exportError : `export: ${exportError}`;
  } catch (err) {
    res.error ??= err.message.split('\n')[0];
    log(`  run stopped: ${res.error}`);
  } finally {
    res.machineLoad.loadAvgAfter = Math.round(os.loadavg()[0] * 100) / 100;
    await close();
  }
  return res;
}

const bundleOf = (sums) => sums.find((x) => x.detail.setup)?.detail.setup.bundle ?? 'eh';

// ---------------------------------------------------------------------------------------------
// Native DuckDB on the exported Parquet, same SQL text

async function nativeRun(parquetFiles, sql, queryRuns) {
  const idle = await waitForIdle();
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run("SET TimeZone = 'UTC'");
  for (const s of sql.create) await c.run(s);
  await c.run(sql.language);
  const t0 = performance.now();
  // The file's timestamps are UTC-adjusted (TIMESTAMPTZ); the table's are plain TIMESTAMP in UTC,
  // as in the browser. `toots` is a view over `toot_store` (which adds the segment id and keeps long texts apart), as there.
  const list = parquetFiles.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
  await c.run(`INSERT INTO toot_store SELECT ${sql.storedColumns} FROM read_parquet([${list}]) t`);
  const loadMs = performance.now() - t0;
  const memRow = (await c.runAndReadAll('PRAGMA database_size')).getRowObjectsJS()[0];
  // Where the Parquet bytes go, per column: what a smaller footprint at rest would have to shrink.
  const rows = Number((await c.runAndReadAll('SELECT count(*) AS n FROM toots')).getRowObjectsJS()[0].n);
  const parquetColumns = (await c.runAndReadAll(
    `SELECT path_in_schema AS col, sum(total_compressed_size)::DOUBLE AS bytes FROM parquet_metadata([${list}]) GROUP BY 1 ORDER BY 2 DESC`,
  )).getRowObjectsJS().map((r) => ({ col: r.col, bytesPerToot: r1(r.bytes / rows) }));
  const out = { machineLoad: idle, loadMs: r1(loadMs), memoryUsage: String(memRow?.memory_usage ?? ''), parquetColumns, threads: {} };
  for (const threads of [1, 2]) {
    await c.run(`SET threads = ${threads}`);
    const res = {};
    for (const [name, q] of Object.entries(sql.queries)) {
      const first = (await c.runAndReadAll(q)).getRowObjectsJS();
      const times = [];
      for (let i = 0; i < queryRuns; i++) {
        const t = performance.now();
        (await c.runAndReadAll(q)).getRowObjectsJS();
        times.push(performance.now() - t);
      }
      res[name] = { ms: r2(median(times)), rows: first.length, result: first.length === 1 ? first[0] : undefined };
    }
    out.threads[threads] = res;
  }
  c.closeSync?.();
  inst.closeSync?.();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const QUERY_NAMES = ['summary', 'daily', 'hourly', 'languages', 'lengths'];
const pct = (x) => (x == null ? null : Math.round(x * 100));

function summarise(size, runs, native) {
  const ok = runs.filter((r) => r.ingest);
  const m = ok.length ? medianOf(ok.map((r) => ({ ...r, sql: undefined, userAgent: undefined, error: undefined }))) : {};
  const first = ok[0] ?? runs[0] ?? {};
  const q = {};
  for (const name of QUERY_NAMES) {
    const wasm = m.queries?.[name]?.ms ?? null;
    const n1 = native?.threads?.[1]?.[name]?.ms ?? null;
    const n2 = native?.threads?.[2]?.[name]?.ms ?? null;
    q[name] = { wasm, native1: n1, native2: n2, ratio1: wasm && n1 ? r2(wasm / n1) : null, ratio2: wasm && n2 ? r2(wasm / n2) : null };
  }
  const bw = first.queries?.summary?.result;
  const nv = native?.threads?.[1]?.summary?.result;
  const memI = m.memIngest?.databaseSizeBytes ?? null;
  const memR = m.memReload?.databaseSizeBytes ?? null;
  return {
    size,
    runs: runs.length,
    completeRuns: runs.filter((r) => !r.error).length,
    errors: runs.map((r) => r.error).filter(Boolean),
    compaction_failures: ok.map((r) => r.ingest.compactionErrors ?? []).find((c) => c.length) ?? [],
    export_error: ok.map((r) => r.exportError).find(Boolean) ?? null,
    native_data: ok.some((r) => r.exportError) ? 'bench slices (the app export failed)' : 'the app export',
    rows: m.ingest?.rows ?? null,
    ingest_toots_per_s: m.ingest ? Math.round(m.ingest.toots_per_s) : null,
    frame_p95_ms: r1(m.ingest?.mainThread?.frameP95),
    frame_max_ms: r1(m.ingest?.mainThread?.frameMax),
    long_tasks: m.ingest?.mainThread?.longTasks ?? null,
    long_task_ms: r1(m.ingest?.mainThread?.longTaskMs),
    long_task_max_ms: r1(m.ingest?.mainThread?.longTaskMax),
    bytes_per_toot: r1(m.rest?.bytesPerToot),
    stored_bytes_per_toot: r1(m.rest?.storedBytesPerToot),
    reload_to_query_s: m.reload ? r2(m.reload.totalMs / 1000) : null,
    duckdb_memory_mb: memI == null && memR == null ? null : mb(Math.max(memI ?? 0, memR ?? 0)),
    duckdb_memory_ingest_mb: mb(memI),
    duckdb_memory_reload_mb: mb(memR),
    summary_ms: q.summary.wasm,
    summary_native_ms: q.summary.native2,
    summary_native_1t_ms: q.summary.native1,
    live_summary_ms: m.live?.ms ?? null,
    live_summary_source: 'app-rollups: ROLLUP_SUMMARY_SQL over the rollup tables every merge maintains (src/core/sql/rollups.ts), as the Summary panel reads them',
    export_s: r2(m.export?.seconds),
    export_mb: mb(m.export?.bytes),
    queries: q,
    native_load_ms: native?.loadMs ?? null,
    native_memory: native?.memoryUsage ?? null,
    native_idle: native?.machineLoad?.cpuIdleBefore ?? null,
    parquet_columns: native?.parquetColumns ?? null,
    native_same_summary: bw && nv ? Number(bw.toots) === Number(nv.toots) && Number(bw.users) === Number(nv.users) && Number(bw.longest) === Number(nv.longest) : null,
    detail: m,
  };
}

const TARGETS = [
  { key: 'summary_ms', label: 'summary ≤ 150 ms', v: (s) => s.summary_ms, ok: (x) => x <= 150, show: (s) => `${fmt(s.summary_ms)} ms` },
  { key: 'summary_ratio', label: 'summary ≤ 1.5× native (2 threads)', v: (s) => s.queries.summary.ratio2, ok: (x) => x <= 1.5, show: (s) => `${fmt(s.queries.summary.ratio2)}× (${fmt(s.summary_ms)} vs ${fmt(s.summary_native_ms)} ms; native 1 thread ${fmt(s.summary_native_1t_ms)} ms)` },
  { key: 'live_summary_ms', label: 'live summary from rollups ≤ 20 ms', v: (s) => s.live_summary_ms, ok: (x) => x <= 20, show: (s) => `${fmt(s.live_summary_ms)} ms (the app's incrementally maintained rollups; native recomputing the summary: ${fmt(s.summary_native_ms)} ms)` },
  { key: 'duckdb_memory_mb', label: 'DuckDB memory ≤ 650 MB', v: (s) => s.duckdb_memory_mb, ok: (x) => x <= 650, show: (s) => `${fmt(s.duckdb_memory_mb)} MB (after ingest ${fmt(s.duckdb_memory_ingest_mb)}, after reload ${fmt(s.duckdb_memory_reload_mb)})` },
  { key: 'reload_to_query_s', label: 'reload to queryable ≤ 3 s', v: (s) => s.reload_to_query_s, ok: (x) => x <= 3, show: (s) => `${fmt(s.reload_to_query_s)} s` },
  { key: 'bytes_per_toot', label: '≤ 120 bytes/toot at rest', v: (s) => s.bytes_per_toot, ok: (x) => x <= 120, show: (s) => `${fmt(s.bytes_per_toot)} B by storage estimate (stored values ${fmt(s.stored_bytes_per_toot)} B)` },
  { key: 'ingest_toots_per_s', label: 'ingest ≥ 20 k toots/s', v: (s) => s.ingest_toots_per_s, ok: (x) => x >= 20_000, show: (s) => `${fmt(s.ingest_toots_per_s)} toots/s` },
  { key: 'frame_p95_ms', label: 'frame p95 ≤ 50 ms during ingest', v: (s) => s.frame_p95_ms, ok: (x) => x <= 50, show: (s) => `${fmt(s.frame_p95_ms)} ms (max ${fmt(s.frame_max_ms)} ms)` },
  { key: 'export_s', label: 'export ≤ 5 s', v: (s) => s.export_s, ok: (x) => x <= 5, show: (s) => (s.export_error ? `failed: ${s.export_error}` : `${fmt(s.export_s)} s`) },
];

function targetState(t, s) {
  if (t.key === 'export_s' && s.export_error) return 'missed';
  const x = t.v(s);
  return x == null || Number.isNaN(x) ? 'not measured' : t.ok(x) ? 'reached' : 'missed';
}

function table(sums) {
  const cols = sums.map((s) => `${(s.rows ?? s.size).toLocaleString('en-US')} toots`);
  const lines = [];
  const row = (label, vals) => lines.push(`| ${label} | ${vals.join(' | ')} |`);
  lines.push(`| metric | ${cols.join(' | ')} |`);
  lines.push(`|---|${cols.map(() => '---:').join('|')}|`);
  row('runs (of which without errors)', sums.map((s) => `${s.runs} (${s.completeRuns})`));
  row('ingest (toots/s)', sums.map((s) => fmt(s.ingest_toots_per_s)));
  row('frame p95 / max during ingest (ms)', sums.map((s) => `${fmt(s.frame_p95_ms)} / ${fmt(s.frame_max_ms)}`));
  row('long tasks during ingest (count, total s, longest ms)', sums.map((s) => `${fmt(s.long_tasks)}, ${fmt(r1(s.long_task_ms == null ? null : s.long_task_ms / 1000))}, ${fmt(s.long_task_max_ms)}`));
  row('bytes/toot at rest (storage estimate / stored values)', sums.map((s) => `${fmt(s.bytes_per_toot)} / ${fmt(s.stored_bytes_per_toot)}`));
  row('reload to queryable (s)', sums.map((s) => fmt(s.reload_to_query_s)));
  row('DuckDB memory after ingest / after reload (MB)', sums.map((s) => `${fmt(s.duckdb_memory_ingest_mb)} / ${fmt(s.duckdb_memory_reload_mb)}`));
  for (const name of QUERY_NAMES) {
    const label = name === 'lengths' ? 'length by language' : name;
    row(`${label}: wasm / native 1t / native 2t (ms), wasm ÷ native 2t`, sums.map((s) => {
      const q = s.queries[name];
      return `${fmt(q.wasm)} / ${fmt(q.native1)} / ${fmt(q.native2)}, ${fmt(q.ratio2)}×`;
    }));
  }
  row('after reload: summary / daily / hourly / languages / lengths (ms)', sums.map((s) => QUERY_NAMES.map((n) => fmt(s.detail.queriesAfterReload?.[n]?.ms)).join(' / ')));
  row('live summary over the app\'s rollups (ms)', sums.map((s) => fmt(s.live_summary_ms)));
  row('export Parquet (s, MB)', sums.map((s) => (s.export_error ? `failed (${s.export_error.replace(/^export: (page\.evaluate: )?(Error: )?/, '')})` : `${fmt(s.export_s)}, ${fmt(s.export_mb)}`)));
  return lines.join('\n');
}

const secs = (ms) => fmt(r1(ms == null ? null : ms / 1000));
const topStatements = (o, n, unit) =>
  Object.entries(o ?? {}).slice(0, n).map(([k, v]) => `${k} ${unit === 's' ? `${secs(v.ms)} s` : `${fmt(v.ms)} ms`} (${fmt(v.n)}×)`).join(', ');

function breakdown(s) {
  const d = s.detail;
  const out = [`- **${(s.rows ?? s.size).toLocaleString('en-US')} toots**, ${s.runs} run${s.runs > 1 ? 's' : ''}${s.errors.length ? ` (errors: ${s.errors.join('; ')})` : ''}.`];
  const i = d.ingest;
  if (i) {
    out.push(
      `  Ingest ${secs(i.timedMs)} s timed (generating the JSON, untimed, ${secs(i.generation.ms)} s; ${fmt(i.generation.avgChars)} characters per status; ${fmt(i.generation.spanDays)} days of posts).`
        + ` Main thread: JSON.parse ${secs(i.mainThread.parseMs)} s, normalise ${secs(i.mainThread.addStatusMs - i.mainThread.arrowMs)} s, Arrow IPC ${secs(i.mainThread.arrowMs)} s (${fmt(i.batches.arrowMsPer10k)} ms per 10 k rows).`
        + ` ${fmt(i.batches.count)} batches (median ${fmt(i.batches.medianRows)} rows, max ${fmt(i.batches.maxRows)}): IndexedDB put ${secs(i.batches.idbMs)} s,`
        + ` DuckDB merge ${secs(i.batches.duckdbMs)} s (${fmt(i.batches.duckdbMsPer10kFirst)} ms per 10 k rows in the first tenth of batches, ${fmt(i.batches.duckdbMsPer10kLast)} in the last).`
        + ` ${fmt(i.compactions.count)} compactions, ${secs(i.compactions.ms)} s in all (last ${secs(i.compactions.lastMs)} s; Parquet encoding in its worker ${secs(i.compactions.parquetWriteMs)} s).`
        + ` Summary refreshes during ingest: ${fmt(i.liveSummary.count)}, median ${fmt(i.liveSummary.medianMs)} ms.`
        + (s.compaction_failures.length ? ` **${s.compaction_failures.length} compactions failed**, the first at ${fmt(s.compaction_failures[0].atRows)} rows: \`${s.compaction_failures[0].message}\`.` : ''),
      `  DuckDB time by statement during ingest (as seen from the page): ${topStatements(i.duckdbStatements, 8, 's')}.`,
    );
  }
  if (d.steps) {
    out.push(
      `  Main-thread steps on an idle page, ms per 10 k toots: JSON.parse ${fmt(d.steps.parseMsPer10k)}, normalizeStatus ${fmt(d.steps.normaliseMsPer10k)}, tootsToIPC ${fmt(d.steps.arrowMsPer10k)}`
        + ` (of which TextEncoder.encodeInto alone ${fmt(d.steps.encodeIntoMsPer10k)}); ${fmt(d.steps.ipcBytesPerToot)} B/toot as Arrow IPC.`,
    );
  }
  if (d.rest) {
    out.push(
      `  At rest: snapshot of ${fmt(d.rest.snapshotRows)} rows (${fmt(mb(d.rest.snapshotBytes))} MB Parquet) + ${fmt(d.rest.batchesAfterSnapshot)} batches after it`
        + ` (${fmt(d.rest.batchRowsAfterSnapshot)} rows, ${fmt(mb(d.rest.batchIpcBytes))} MB Arrow IPC); storage estimate grew ${fmt(mb(d.rest.usageBytes))} MB.`,
    );
  }
  const rl = d.reload;
  if (rl) {
    out.push(
      `  Reload ${fmt(rl.totalMs)} ms = page and modules ${fmt(rl.modulesMs)} + openBrowserDb ${fmt(rl.dbOpenMs)} + LocalData.open ${fmt(rl.localDataOpenMs)}`
        + ` (IndexedDB snapshot ${fmt(rl.idbSnapshotMs)}, Parquet decode ${fmt(rl.parquetReadMs)}, IndexedDB batches ${fmt(rl.idbBatchesMs)}, DuckDB ${fmt(rl.duckdbLoadMs)};`
        + ` ${fmt(rl.batchesReplayed)} batches replayed) + summary ${fmt(rl.summaryMs)}; ${fmt(rl.rows)} rows after the reload${rl.rows === s.rows ? ' (all)' : ` (**${fmt(s.rows)} before**)`}. DuckDB by statement: ${topStatements(rl.duckdbStatements, 5, 'ms')}.`,
    );
  }
  const tail = [];
  if (d.export) tail.push(`Export: parquet-wasm load ${fmt(d.export.parquetLoadMs)} ms, longest main-thread task during export ${fmt(d.export.longTaskMax)} ms.`);
  if (d.live) tail.push(`Rollups: ${fmt(d.live.hourRows)} keys; the live summary equals the full summary: ${d.live.matchesSummary}.`);
  if (s.parquet_columns) {
    const total = s.parquet_columns.reduce((a, c) => a + c.bytesPerToot, 0);
    tail.push(`Parquet (zstd) ${fmt(r1(total))} B/toot, by column: ${s.parquet_columns.slice(0, 6).map((c) => `${c.col} ${fmt(c.bytesPerToot)}`).join(', ')}.`);
  }
  if (s.native_load_ms != null) tail.push(`Native reads ${s.native_data}. Native: Parquet load ${fmt(s.native_load_ms)} ms, memory ${s.native_memory}, same summary as the browser: ${s.native_same_summary}.`);
  if (d.machineLoad) {
    tail.push(`Machine: ${fmt(pct(d.machineLoad.cpuIdleBefore))} % CPU idle before the browser runs (waited ${fmt(d.machineLoad.waitedS)} s), load average ${fmt(d.machineLoad.loadAvgAfter)} after;`
      + ` ${fmt(pct(s.native_idle))} % idle before the native runs.`);
  }
  if (tail.length) out.push(`  ${tail.join(' ')}`);
  return out.join('\n');
}

function targetLines(s) {
  return TARGETS.map((t) => `- **${targetState(t, s)}**: ${t.label}: ${t.show(s)}`).join('\n');
}

// ---------------------------------------------------------------------------------------------

const runsFor = (i) => OPTS.runs[Math.min(i, OPTS.runs.length - 1)];

async function main() {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found: set CHROME_PATH or install Debian\'s "chromium" package');
  const env = machine(executablePath);
  log(`machine: ${env.nproc} cores (${env.cpu}), ${env.memoryGiB} GiB, ${env.chromium}, Node ${env.node}`);
  mkdirSync(OUT_DIR, { recursive: true });
  const { server, url } = await startVite();
  log(`vite: ${url}`);
  const sums = [];
  let userAgent = '';
  try {
    for (const [si, size] of OPTS.sizes.entries()) {
      const runs = [];
      const parquetName = `toots-${size}.parquet`;
      for (const f of readdirSync(OUT_DIR)) if (f.startsWith(`toots-${size}.`) || f.startsWith(`toots-${size}-part`)) rmSync(path.join(OUT_DIR, f), { force: true });
      const n = runsFor(si);
      for (let r = 1; r <= n; r++) {
        log(`size ${size.toLocaleString('en-US')}, run ${r}/${n}`);
        // Every run exports; the last complete one's file is what native DuckDB reads.
        const res = await browserRun(executablePath, url, size, parquetName);
        userAgent ||= res.userAgent ?? '';
        runs.push(res);
        writeFileSync(path.join(OUT_DIR, `run-${size}-${r}.json`), JSON.stringify(res, null, 2));
      }
      const withSql = runs.find((r) => r.sql);
      const files = [...runs].reverse().find((r) => r.parquetFiles)?.parquetFiles.map((f) => path.join(OUT_DIR, f));
      let native = null;
      if (withSql && files) {
        log(`native DuckDB on ${files.map((f) => path.basename(f)).join(', ')} (${mb(files.reduce((a, f) => a + statSync(f).size, 0))} MB)`);
        try {
          native = await nativeRun(files, withSql.sql, OPTS.queryRuns);
          log(`  native: load ${native.loadMs} ms; summary 1t ${native.threads[1].summary.ms} ms, 2t ${native.threads[2].summary.ms} ms`);
        } catch (err) {
          log(`  native failed: ${err.message}`);
        }
      } else {
        log('  no Parquet export from the browser: native DuckDB not run');
      }
      const s = summarise(size, runs, native);
      sums.push(s);
      writeFileSync(path.join(OUT_DIR, `summary-${size}.json`), JSON.stringify({ ...s, native }, null, 2));
    }
  } finally {
    await server.close();
  }

  const date = new Date().toISOString().slice(0, 10);
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const tbl = table(sums);
  console.log(`\n${tbl}\n`);
  for (const s of sums) console.log(breakdown(s));
  const measured = sums.filter((s) => s.rows != null);
  const largest = (measured.length ? measured : sums).reduce((a, b) => ((b.rows ?? b.size) > (a.rows ?? a.size) ? b : a));
  const notMeasured = sums.filter((s) => s.rows == null).map((s) => s.size);
  const targetsHead = `Targets at ${(largest.rows ?? largest.size).toLocaleString('en-US')} toots${notMeasured.length ? ` (not measured: ${notMeasured.join(', ')})` : ''}`;
  console.log(`\n${targetsHead}:\n${targetLines(largest)}\n`);

  const pick = (s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'detail'));
  const latest = {
    date,
    command,
    machine: { ...env, userAgent },
    ...pick(largest),
    targets: Object.fromEntries(TARGETS.map((t) => [t.key, { label: t.label, state: targetState(t, largest), measured: t.show(largest) }])),
    sizes: Object.fromEntries(sums.map((s) => [s.size, { ...pick(s), detail: s.detail }])),
  };
  if (OPTS.docs) {
    const outFile = path.resolve(ROOT, OPTS.out);
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(latest, null, 2)}\n`);
    const runsText = sums.map((s) => `${s.runs} run${s.runs > 1 ? 's' : ''} at ${s.size.toLocaleString('en-US')}`).join(', ');
    const md = [
      '',
      `## App pipeline in Chromium vs native DuckDB, ${date}`,
      '',
      `Measured ${date} on ${env.nproc} cores (${env.cpu}), ${env.memoryGiB} GiB, ${env.chromium} headless, Node ${env.node};`,
      `duckdb-wasm ${env.duckdbWasm} (\`${bundleOf(sums)}\` bundle, ${bundleOf(sums) === 'coi' ? "threads = cores, the page cross-origin isolated by Vite's headers" : 'one thread'}) against native DuckDB (@duckdb/node-api ${env.duckdbNative});`,
      `commit ${env.commit}${env.uncommitted.length ? ` plus uncommitted edits in ${env.uncommitted.length} file(s) under src/, bench/` : ''}. Command:`,
      '',
      '```sh',
      command,
      '```',
      '',
      "`bench/run.mjs` drives `bench/index.html` + `bench/bench-page.ts` on Vite's dev server; raw figures in",
      `[\`docs/bench/latest.json\`](bench/latest.json). Medians over ${runsText}; query times are medians of ${OPTS.queryRuns}`,
      'runs after a warm-up: in the browser on the tab that ingested (again after the reload, second), natively on the Parquet the',
      'browser exported (same SQL text; in hash slices when the app\'s one-piece export failed).',
      'Ingest = `JSON.parse` of each stream `data:` line → `Ingest.addStatus` → flush (Arrow IPC → IndexedDB → DuckDB merge), with',
      "AppState's compaction policy and once-a-second summary running; generating the JSON is not timed. Bytes at rest are the growth of",
      "`navigator.storage.estimate()` (and, second, the stored values' own bytes). The machine is shared: each run records how idle it was.",
      '',
      tbl,
      '',
      ...sums.map(breakdown),
      '',
      `${targetsHead}:`,
      '',
      targetLines(largest),
      '',
    ].join('\n');
    appendFileSync(path.join(ROOT, 'docs/BENCHMARKS.md'), md);
    log(`wrote ${path.relative(ROOT, outFile)} and appended a section to docs/BENCHMARKS.md`);
  } else {
    writeFileSync(path.join(OUT_DIR, 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`);
    log('--no-docs: wrote bench/out/latest.json only');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
