/**
 * `npm run bench` (issue 6): the app's ingest and query pipeline in headless Chromium, at 100 k and
 * 1.6 M toots, against native DuckDB on the same data.
 *
 *   node bench/run.mjs [--sizes 100000,1622149] [--runs 3,1] [--query-runs 7] [--chart-runs 20] [--chunk 100000]
 *                      [--slice-ms 8] [--idle-wait 120] [--no-docs]
 *                      [--out docs/bench/latest.json]
 *
 * For each size and run: a fresh Chromium profile opens /bench/index.html on Vite's dev server
 * (bench/bench-page.ts imports the app's modules), ingests N generated statuses as the stream
 * delivers them, measures storage at rest, reloads to time reload-to-queryable, then memory, the
 * panels' queries, the live summary over the app's rollups, and the Parquet export, whose file lands in
 * bench/out/. Native DuckDB (@duckdb/node-api) then loads that file and runs the same SQL text with
 * threads=1 and threads=2. Figures are medians over runs (queries: medians of --query-runs after a
 * warm-up, per run; the dashboard's charts and interaction rounds --chart-runs times, since a p95 of
 * fewer than 20 samples is the slowest of them; --runs gives runs per size, the last number repeating). Prints a table, writes docs/bench/latest.json (the largest size) and appends a
 * dated section to docs/BENCHMARKS.md (skip with --no-docs).
 *
 * The machine may be shared: before each run the driver waits (up to --idle-wait seconds) for the
 * CPUs to be ≥ 80 % idle over 5 s, and records how idle they were and the load average after.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../scripts/find-chromium.mjs';
import { nativeRun } from './driver/native.mjs';
import { breakdown, summarise, table, targetLines, TARGETS, targetState } from './driver/report.mjs';
import { fmt, log, machine, mb, OUT_DIR, ROOT, waitForIdle } from './driver/util.mjs';
import { startVite } from './driver/vite.mjs';

// ---------------------------------------------------------------------------------------------
// Options

/** DuckDB's memory by tag, largest first: `IN_MEMORY_TABLE 512.3, OVERFLOW_STRINGS 55.1 MB`. */
const tagList = (tags) => Object.entries(tags ?? {}).sort((a, b) => b[1] - a[1]).map(([t, v]) => `${t} ${v}`).join(', ') + ' MB';

function parseArgs(argv) {
  const opts = {
    sizes: [100_000, 1_622_149],
    runs: [3, 1],
    queryRuns: 7,
    chartRuns: 20,
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
      case '--chart-runs': opts.chartRuns = Math.max(5, Number(val())); break;
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
  const res = { machineLoad: await waitForIdle(OPTS.idleWait), error: null };
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
    const acct = await step('acctStorage', () => page.evaluate((n) => window.bench.acctStorage(n), OPTS.queryRuns));
    log(`  acct: count(DISTINCT acct) ${acct.distinctMs} ms; stored ${acct.segments.map((s) => `${s.compression} ${s.segments} segments, ${s.rows} rows`).join('; ')}`);
    await step('live', () => page.evaluate((n) => window.bench.liveRollup(n), OPTS.queryRuns));
    const charts = await step('charts', () => page.evaluate((n) => window.bench.charts(n), OPTS.chartRuns));
    log(`  charts: worst ${charts.worstChart} ${charts.chart_query_p95_ms} ms p95 (${Object.entries(charts.charts).map(([k, v]) => `${k} ${v}`).join(', ')}); interaction round p95 ${charts.interaction_p95_ms} ms`);
    for (const [name, p95] of Object.entries(charts.interactions)) {
      log(`    round ${name}: p95 ${p95} ms; medians ${Object.entries(charts.interaction_charts_p50[name] ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
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

    // At rest with the tab closed: hidden first (the app checkpoints then), then an idle page of
    // the same origin reads what is stored, once the estimate stops moving.
    const atRestClosed = async (rows) => {
      await page.evaluate(() => window.bench.hide());
      await page.goto(`${baseUrl}/bench/index.html?closed=1`);
      await page.waitForFunction(() => window.bench !== undefined);
      let last = null;
      for (let i = 0; i < 10; i++) {
        const now = await page.evaluate(([n, before]) => window.bench.closedUsage(n, before), [rows, ingest.usageBefore]);
        if (last && now.usageBytes === last.usageBytes) return now;
        last = now;
        await page.waitForTimeout(1000);
      }
      return last;
    };
    const closed = await step('closed', () => atRestClosed(ingest.rows));
    log(`  closed: ${closed.bytesPerToot} B/toot (estimate); files ${Object.entries(closed.files).map(([k, v]) => `${k} ${mb(v)} MB`).join(', ')}`);

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

    // DuckDB's file by its blocks as the reload left it, before the reopened page collects.
    await step('reloadRest', () => page.evaluate(([rows, before]) => window.bench.atRest(rows, before), [ingest.rows, ingest.usageBefore]));

    // The same after a reopened page collected: a tenth more toots (a week later, so none is a
    // duplicate), its hide's checkpoint, the tab closed. The figures above are of a profile's first
    // page; a page that opened its file beside a log kept that log whole after its checkpoints
    // until cad2114 (docs/BENCHMARKS.md, twenty-first and twenty-second sessions).
    const more = Math.round(size / 10);
    const reopenedIngest = await step('reopenedIngest', () => page.evaluate((o) => window.bench.ingest(o), { ...ingestOpts, n: more, seed: OPTS.seed + 2, startTime: START_TIME + 8 * 86_400_000 }));
    if (reopenedIngest.errors.length) throw new Error(`reopened ingest errors: ${reopenedIngest.errors.slice(0, 3).join('; ')}`);
    // Its `rows` counts the whole table: every toot of both ingests, once. DuckDB's file by its
    // blocks (used and free) before the hide, as after the first ingest.
    await step('reopenedRest', () => page.evaluate(([rows, before]) => window.bench.atRest(rows, before), [reopenedIngest.rows, ingest.usageBefore]));
    const reopenedClosed = await step('reopenedClosed', () => atRestClosed(reopenedIngest.rows));
    log(`  reopened, ${reopenedIngest.rows - ingest.rows} more, closed: ${reopenedClosed.bytesPerToot} B/toot (estimate); files ${Object.entries(reopenedClosed.files).map(([k, v]) => `${k} ${mb(v)} MB`).join(', ')}`);
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
          native = await nativeRun(files, withSql.sql, OPTS.queryRuns, OPTS.idleWait);
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
  // Issue 15: the top level keeps the figures at 1.6 M (the largest size under 5 M), `at_10m` the 10 M ones.
  const big = (s) => (s.rows ?? s.size) >= 5_000_000;
  const pool = measured.length ? measured : sums;
  const largestOf = (xs) => (xs.length ? xs.reduce((a, b) => ((b.rows ?? b.size) > (a.rows ?? a.size) ? b : a)) : null);
  const largest = largestOf(pool.filter((s) => !big(s))) ?? largestOf(pool);
  const tenM = largestOf(pool.filter(big));
  const notMeasured = sums.filter((s) => s.rows == null).map((s) => s.size);
  const targetsHead = `Targets at ${(largest.rows ?? largest.size).toLocaleString('en-US')} toots${notMeasured.length ? ` (not measured: ${notMeasured.join(', ')})` : ''}`;
  console.log(`\n${targetsHead}:\n${targetLines(largest)}\n`);
  const tenMHead = tenM && tenM !== largest ? `Targets at ${(tenM.rows ?? tenM.size).toLocaleString('en-US')} toots` : null;
  if (tenMHead) console.log(`${tenMHead}:\n${targetLines(tenM)}\n`);
  const targetsOf = (s) => Object.fromEntries(TARGETS.map((t) => [t.key, { label: t.label(s), state: targetState(t, s), measured: t.show(s) }]));

  const pick = (s) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'detail'));
  const latest = {
    date,
    command,
    machine: { ...env, userAgent },
    ...pick(largest),
    targets: targetsOf(largest),
    ...(tenMHead ? { at_10m: { ...pick(tenM), targets: targetsOf(tenM) } } : {}),
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
      ...(tenMHead ? [`${tenMHead}:`, '', targetLines(tenM), ''] : []),
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
