import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { OFFLINE_SETTINGS, parseByteSize, tableRows, type AnalyticsDb } from './analytics-db';
import { downloadWasm, type StartStep } from './wasm-download';

/**
 * Bundles from our own assets (never a CDN): the page works offline and under any sub-path.
 * Single-threaded `eh` (with `mvp` for a browser without WebAssembly exceptions), never the
 * threaded `coi`: coi took 2.5-5.3 s to start here against ~1 s for eh, needs the page
 * cross-origin isolated, and cannot open a database file in OPFS (duckdb-wasm#2096, #2243), which
 * issue 15 keeps the table in. Figures: docs/BENCHMARKS.md, "probe: DuckDB's own database file".
 */
const BUNDLES: duckdb.DuckDBBundles = {
  mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
  eh: { mainModule: ehWasm, mainWorker: ehWorker },
};

export interface BrowserDb extends AnalyticsDb {
  /** Which duckdb-wasm bundle runs: `eh`, or `mvp` where WebAssembly exceptions are missing. */
  readonly bundle: string;
}

/**
 * DuckDB-WASM in its Web Worker. Loaded on demand by `import()`, so the page paints first.
 * `onStep` hears how far the start is: the wasm's bytes, then compiling, then opening.
 */
export async function openBrowserDb(onStep: (s: StartStep) => void = () => undefined): Promise<BrowserDb> {
  const bundle = await duckdb.selectBundle(BUNDLES);
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), worker);
  const wasm = await downloadWasm(bundle.mainModule, onStep);
  onStep({ step: 'compile' });
  try {
    await db.instantiate(wasm.url, null);
  } finally {
    wasm.release();
  }
  onStep({ step: 'open' });
  await db.open({ query: { castBigIntToDouble: false } });
  const conn = await db.connect();
  for (const s of OFFLINE_SETTINGS) await conn.query(s);
  await conn.query('SELECT 1');
  return { bundle: bundle.mainModule === ehWasm ? 'eh' : 'mvp', ...overConnection(db, conn) };
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
