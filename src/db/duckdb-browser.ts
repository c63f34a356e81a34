import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthread from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { OFFLINE_SETTINGS, parseByteSize, tableRows, type AnalyticsDb } from './analytics-db';

/**
 * Bundles from our own assets (never a CDN): the page works offline and under any sub-path.
 * `selectBundle` picks the threaded `coi` bundle when the page is cross-origin isolated (COOP +
 * COEP, which vite.config.ts and any host serving the build must send on every response), else `eh`.
 * The coi worker is patched on install (scripts/patch-duckdb-coi.mjs, duckdb-wasm#2256): unpatched,
 * its heap views go stale when a DuckDB thread grows memory, and copies in and out of it fail.
 */
const BUNDLES: duckdb.DuckDBBundles = {
  mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
  eh: { mainModule: ehWasm, mainWorker: ehWorker },
  coi: { mainModule: coiWasm, mainWorker: coiWorker, pthreadWorker: coiPthread },
};

export interface BrowserDb extends AnalyticsDb {
  /** Which duckdb-wasm bundle runs: `coi` (threads) only when the page is cross-origin isolated. */
  readonly bundle: string;
}

/** DuckDB-WASM in its Web Worker. Loaded on demand by `import()`, so the page paints first. */
export async function openBrowserDb(): Promise<BrowserDb> {
  const bundle = await duckdb.selectBundle(BUNDLES);
  if (bundle.mainModule !== coiWasm) return start(bundle);
  // The threaded bundle has hung on start before (see below): if it is not answering a query in
  // COI_START_MS, it is dropped and the single-threaded bundle runs instead. Slower, but running.
  const attempt = start(bundle);
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), COI_START_MS));
  const db = await Promise.race([attempt, timeout]);
  if (db) return db;
  void attempt.then((late) => late.close()).catch(() => undefined);
  console.warn(`DuckDB's threaded bundle did not start within ${COI_START_MS / 1000} s: using the single-threaded one`);
  return start({ ...BUNDLES.eh!, pthreadWorker: null });
}

/** Generous: coi takes 2.5–5.3 s to start here on an idle machine, eh about 1 s. */
const COI_START_MS = 20_000;

async function start(bundle: duckdb.DuckDBBundle): Promise<BrowserDb> {
  const threaded = bundle.mainModule === coiWasm;
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  // The thread count goes to open(), never to a later `SET threads`: lowering it right after open()
  // deadlocks the coi worker (it joins threads whose pthread workers have not started yet; found
  // in Chromium 156 here). coi's default of 4 threads is also slower than 2 on two cores.
  // eh and mvp are built without threads and refuse any thread count but their own.
  const threads = threaded ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) : undefined;
  await db.open({ ...(threads ? { maximumThreads: threads } : {}), query: { castBigIntToDouble: false } });
  const conn = await db.connect();
  for (const s of OFFLINE_SETTINGS) await conn.query(s);
  await conn.query('SELECT 1');
  const name = threaded ? 'coi' : bundle.mainModule === ehWasm ? 'eh' : 'mvp';
  return { bundle: name, ...overConnection(db, conn) };
}

/** The app's interface over one connection of a started duckdb-wasm (bench/opfs-probe uses it too). */
export function overConnection(db: duckdb.AsyncDuckDB, conn: duckdb.AsyncDuckDBConnection): AnalyticsDb {
  return {
    async exec(statements) {
      for (const s of typeof statements === 'string' ? [statements] : statements) await conn.query(s);
    },
    async query(sql) {
      return tableRows(await conn.query(sql));
    },
    queryArrow(sql) {
      return conn.query(sql);
    },
    async insertIPC(table, ipc, opts) {
      // insertArrowFromIPCStream transfers (detaches) its buffer: hand it a copy.
      await conn.insertArrowFromIPCStream(ipc.slice(), { name: table, create: !opts?.append });
    },
    async memoryBytes() {
      const [row] = tableRows<{ memory_usage: string }>(await conn.query('PRAGMA database_size'));
      return parseByteSize(row?.memory_usage ?? '0');
    },
    async close() {
      await conn.close();
      await db.terminate();
    },
  };
}
