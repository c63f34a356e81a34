// `npm run bench:startup`: how fast the built page starts and how much it downloads (issue 16).
// Builds the production site, serves it as README's hosting notes say (scripts/serve-dist.mjs: the
// .br/.gz copies by Accept-Encoding, hashed assets cacheable), and opens it in headless Chromium
// with the e2e flags, in RUNS fresh profiles: a first visit, then a repeat visit of the same
// profile. Ready = the summary says which DuckDB bundle runs, which it does once DuckDB has
// answered its first queries (empty store). Transfer = response bytes the host sent, compressed
// as served, headers included, service worker precaching included. Medians; the load average is
// recorded because this machine is shared. Writes docs/bench/startup.json (BENCH_OUT: elsewhere;
// ONLY=visits: the visits alone, for trying a change quickly).
//
// Where the time goes: the app sets User Timing marks (src/db/startup-marks.ts) and each visit's
// breakdown is read from them once the summary's first query has answered.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build, runnerImport } from 'vite';
import { chromium } from 'playwright-core';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { serveDist } from '../../scripts/serve-dist.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'bench/out/startup-dist');
const RUNS = Number(process.env.RUNS ?? 5);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const roundAll = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]));

/** The host: counts bytes sent; `cut()` refuses every connection (the network is gone). */
async function host(dir) {
  const files = serveDist(dir);
  let sent = 0;
  let down = false;
  const log = [];
  const server = createServer((req, res) => {
    if (down) return req.socket.destroy();
    const before = req.socket.bytesWritten;
    res.on('finish', () => {
      const bytes = req.socket.bytesWritten - before;
      sent += bytes;
      log.push(`${req.url} ${res.statusCode} ${bytes}`);
    });
    files(req, res, () => res.writeHead(404).end());
  });
  server.on('connection', (s) => down && s.destroy());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    sent: () => sent,
    /** Requests answered since the last call: `path status bytes`. */
    drain: () => log.splice(0),
    cut: () => void (down = true),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function fresh() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-startup-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: findChromium(), headless: true, args: ARGS });
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** ms from navigation start until the page says which DuckDB bundle runs. */
async function ready(page, timeout = 120_000) {
  const handle = await page.waitForFunction(
    () => [...document.querySelectorAll('p')].some((p) => p.textContent?.startsWith('DuckDB-WASM bundle:')) && performance.now(),
    null, { polling: 'raf', timeout });
  return handle.jsonValue();
}

/**
 * The start of one visit, from the app's marks (ms since navigation): where the time goes. The
 * steps overlap by design (DuckDB's download and compile run while IndexedDB and the collector
 * lock are settled), so they do not add up to the ready time.
 */
async function breakdown(page, timeout = 120_000) {
  await page.waitForFunction(() => performance.getEntriesByName('tootscope:first-summary').length > 0, null, { timeout });
  const { marks, nav } = await page.evaluate(() => {
    const marks = Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('tootscope:')).map((m) => [m.name.slice('tootscope:'.length), m.startTime]));
    const n = performance.getEntriesByType('navigation')[0];
    return { marks, nav: n ? { responseEnd: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd } : {} };
  });
  const span = (a, b) => (marks[a] !== undefined && marks[b] !== undefined ? marks[b] - marks[a] : null);
  return {
    html_ms: nav.responseEnd ?? null,
    script_ms: marks.script ?? null,
    store_open_ms: span('script', 'store-open'),
    duckdb_module_ms: span('duckdb-start', 'duckdb-module'),
    wasm_fetch_ms: span('wasm-fetch-start', 'wasm-fetched'),
    compile_instantiate_ms: span('wasm-fetched', 'instantiated'),
    duckdb_open_ms: span('instantiated', 'opened'),
    table_load_ms: span('opened', 'table-ready'),
    table_to_ready_ms: span('table-ready', 'ready'),
    ready_ms: marks.ready ?? null,
    first_query_ms: span('ready', 'first-summary'),
    first_summary_ms: marks['first-summary'] ?? null,
  };
}

/** Per key, the median of the non-null samples. */
const medianBreakdown = (samples) =>
  Object.fromEntries(Object.keys(samples[0] ?? {}).map((k) => {
    const xs = samples.map((s) => s[k]).filter((x) => typeof x === 'number');
    return [k, xs.length ? round(median(xs)) : null];
  }));

async function serviceWorkerActive(page) {
  await page.evaluate(async () => {
    const end = performance.now() + 120_000;
    while ((await navigator.serviceWorker.getRegistration())?.active?.state !== 'activated') {
      if (performance.now() > end) throw new Error('no active service worker within 120 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  });
}

/** ms from navigation start until IndexedDB holds a batch of toots (polled in the page). */
async function firstTootStored(page) {
  return page.evaluate(async () => {
    // Only once the app has made it: opening it first would create it without its store.
    const stored = async () => (await indexedDB.databases()).some((d) => d.name === 'tootscope-batches') && new Promise((resolve) => {
      const open = indexedDB.open('tootscope-batches');
      open.onerror = () => resolve(false);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('batches')) return db.close(), resolve(false);
        const req = db.transaction('batches').objectStore('batches').getAllKeys();
        req.onsuccess = () => (db.close(), resolve(req.result.some((k) => String(k).startsWith('batch-'))));
        req.onerror = () => (db.close(), resolve(false));
      };
    });
    const end = performance.now() + 120_000;
    while (performance.now() < end) {
      if (await stored()) return performance.now();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no toot stored within 120 s');
  });
}

const load = [os.loadavg()[0]];
process.env.NODE_ENV = 'production';
await build({ root: ROOT, mode: 'production', logLevel: 'warn', build: { outDir: OUT, emptyOutDir: true } });
const site = await host(OUT);
const { module: fake } = await runnerImport(path.join(ROOT, 'test/fake-mastodon/index.ts'));

const runs = [];
const steps = [];
let requests = {};
for (let i = 0; i < RUNS; i++) {
  const b = await fresh();
  try {
    let mark = site.sent();
    const first = await b.context.newPage();
    await first.goto(site.url);
    const firstReady = await ready(first);
    const firstSteps = await breakdown(first);
    // The visit's download includes the service worker's precaching, done after DuckDB started.
    await serviceWorkerActive(first);
    const firstMb = (site.sent() - mark) / 1e6;
    await first.close();

    const firstRequests = site.drain();
    mark = site.sent();
    const second = await b.context.newPage();
    await second.goto(site.url);
    const repeatReady = await ready(second);
    const repeatSteps = await breakdown(second);
    await second.waitForLoadState('networkidle');
    const repeatMb = (site.sent() - mark) / 1e6;
    await second.close();
    runs.push({ first_visit_ready_ms: firstReady, repeat_visit_ready_ms: repeatReady, first_visit_transfer_mb: firstMb, repeat_visit_transfer_mb: repeatMb });
    steps.push({ first_visit: firstSteps, repeat_visit: repeatSteps });
    console.log(JSON.stringify(runs.at(-1)));
    console.log(JSON.stringify(steps.at(-1)));
    if (i === 0) requests = { first_visit: firstRequests, repeat_visit: site.drain() };
    site.drain();
  } finally {
    await b.close();
  }
  load.push(os.loadavg()[0]);
}

// First toot: `?instances=` a fake instance whose public timeline is open, in fresh profiles.
const ONLY_VISITS = process.env.ONLY === 'visits';
const tootRuns = [];
for (let i = 0; i < (ONLY_VISITS ? 0 : RUNS); i++) {
  const instance = await fake.startFakeMastodon({ domain: `bench${i}.test`, liveFeeds: 'public', cacheSeconds: 1, seed: 100 + i });
  for (let n = 0; n < 20; n++) instance.publish();
  const b = await fresh();
  try {
    const page = await b.context.newPage();
    await page.goto(`${site.url}?instances=${encodeURIComponent(instance.webUrl)}`);
    tootRuns.push(await firstTootStored(page));
    console.log(JSON.stringify({ first_toot_stored_ms: tootRuns.at(-1) }));
  } finally {
    await b.close();
    await instance.close();
  }
}

// Offline: a profile that collected (the demo), then a visit with the host refusing connections.
let offlineOk = false;
if (!ONLY_VISITS) {
  const b = await fresh();
  try {
    const page = await b.context.newPage();
    await page.goto(`${site.url}?demo`);
    await ready(page);
    await page.waitForFunction(() => Number(document.querySelector('output[aria-label="Toots collected"]')?.textContent?.replace(/,/g, '')) > 20, null, { timeout: 60_000 });
    await serviceWorkerActive(page);
    await page.close();
    site.cut();
    await b.context.setOffline(true);
    const offline = await b.context.newPage();
    await offline.goto(site.url);
    await ready(offline);
    const shown = await offline.waitForFunction(() => {
      const n = Number(document.querySelector('output[aria-label="Toots collected"]')?.textContent?.replace(/,/g, ''));
      return n > 0 && n;
    }, null, { timeout: 60_000 }).then((h) => h.jsonValue());
    // SQL: the console's Run button, then its status line.
    await offline.waitForFunction(() => document.querySelector('button.run')?.disabled === false, null, { timeout: 60_000 });
    await offline.getByRole('textbox', { name: 'SQL' }).fill('SELECT count(*)::INTEGER AS n FROM toots');
    await offline.getByRole('button', { name: 'Run', exact: true }).click();
    await offline.waitForFunction(() => /^\d[\d,]* rows? · /.test(document.querySelector('[data-testid=sql-status]')?.textContent ?? ''), null, { timeout: 60_000 });
    const status = await offline.getByTestId('sql-status').textContent();
    const cell = await offline.getByRole('region', { name: 'Query result' }).locator('tbody td').first().textContent({ timeout: 60_000 });
    offlineOk = /1 row/.test(status ?? '') && Number(cell?.replace(/,/g, '')) === shown;
    console.log(JSON.stringify({ offline: { shown, status, cell } }));
  } finally {
    await b.close();
  }
}
await site.close();

const result = {
  date: new Date().toISOString().slice(0, 10),
  runs: RUNS,
  first_visit_ready_ms: round(median(runs.map((r) => r.first_visit_ready_ms))),
  repeat_visit_ready_ms: round(median(runs.map((r) => r.repeat_visit_ready_ms))),
  first_visit_transfer_mb: round(median(runs.map((r) => r.first_visit_transfer_mb)), 2),
  repeat_visit_transfer_mb: round(median(runs.map((r) => r.repeat_visit_transfer_mb)), 3),
  first_toot_stored_ms: tootRuns.length ? round(median(tootRuns)) : null,
  offline_reload_ok: offlineOk,
  first_visit_breakdown_ms: medianBreakdown(steps.map((s) => s.first_visit)),
  repeat_visit_breakdown_ms: medianBreakdown(steps.map((s) => s.repeat_visit)),
  load_average_1min: { start: round(load[0], 2), end: round(load.at(-1), 2), max: round(Math.max(...load), 2) },
  cores: os.cpus().length,
  chromium: (await (async () => { const b = await chromium.launch({ executablePath: findChromium(), args: ARGS }); const v = b.version(); await b.close(); return v; })()),
  served_as: 'scripts/serve-dist.mjs (npm start / npm run preview): .br by Accept-Encoding, assets/ immutable',
  requests_of_the_first_profile: requests,
  samples: {
    runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v, 3)]))),
    first_toot_stored_ms: tootRuns.map((x) => round(x)),
    breakdown_ms: steps.map((s) => ({ first_visit: roundAll(s.first_visit), repeat_visit: roundAll(s.repeat_visit) })),
  },
};
const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(ROOT, 'docs/bench/startup.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
