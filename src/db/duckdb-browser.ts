import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { RecordBatch, Table } from 'apache-arrow';
import { OFFLINE_SETTINGS, QueryCancelledError, parseByteSize, tableRows, type AnalyticsDb } from './analytics-db';
import { downloadWasm, type StartStep } from './wasm-download';
import { mark } from './startup-marks';

mark('duckdb-module');

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
  /** The database file (`opfs://…`) the tables live in, or null: in memory. */
  readonly path: string | null;
}

/** A worker with the wasm compiled and instantiated, no database open yet. */
export interface InstantiatedDb {
  db: duckdb.AsyncDuckDB;
  bundle: 'eh' | 'mvp';
}

/**
 * Downloads, compiles and instantiates DuckDB in its Web Worker. This needs nothing from the
 * page, so it starts as the page starts, while the page settles which database to open (the
 * collector's file or memory): the open then only opens.
 */
export async function instantiateBrowserDb(onStep: (s: StartStep) => void = () => undefined): Promise<InstantiatedDb> {
  const bundle = await duckdb.selectBundle(BUNDLES);
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), worker);
  try {
    const wasm = await downloadWasm(bundle.mainModule, onStep);
    onStep({ step: 'compile' });
    try {
      await db.instantiate(wasm.url, null);
    } finally {
      wasm.release();
    }
    mark('instantiated');
    return { db, bundle: bundle.mainModule === ehWasm ? 'eh' : 'mvp' };
  } catch (err) {
    await db.terminate().catch(() => undefined);
    throw err;
  }
}

/**
 * DuckDB-WASM in its Web Worker. Loaded on demand by `import()`, so the page paints first.
 * `path` (`opfs://name`) opens that database file read-write; it fails (and the worker is ended)
 * when the file cannot be opened, damaged or held by another tab. `onStep` hears how far the
 * start is: the wasm's bytes, then compiling, then opening. `started` is a worker instantiated
 * beforehand (`instantiateBrowserDb`); without it, one is started here.
 */
export async function openBrowserDb(
  opts: { path?: string; onStep?: (s: StartStep) => void; started?: Promise<InstantiatedDb> | null } = {},
): Promise<BrowserDb> {
  const onStep = opts.onStep ?? (() => undefined);
  const { db, bundle } = await (opts.started ?? instantiateBrowserDb(onStep));
  try {
    onStep({ step: 'open' });
    const file = opts.path ? { path: opts.path, accessMode: duckdb.DuckDBAccessMode.READ_WRITE } : {};
    await db.open({ ...file, query: { castBigIntToDouble: false } });
    const conn = await db.connect();
    for (const s of OFFLINE_SETTINGS) await conn.query(s);
    await conn.query('SELECT 1');
    mark('opened');
    return { bundle, path: opts.path ?? null, ...overConnection(db, conn) };
  } catch (err) {
    await db.terminate().catch(() => undefined);
    throw err;
  }
}

/** The app's interface over one connection of a started duckdb-wasm (bench/opfs-probe uses it too). */
export function overConnection(db: duckdb.AsyncDuckDB, conn: duckdb.AsyncDuckDBConnection): AnalyticsDb {
  let cancelled = false;
  /**
   * One call at a time on the connection. The worker ran calls in order anyway, but a streamed
   * result (queryCancellable) is fetched in several round trips, and any other query on the
   * connection in between ends it early: a console query came back with 0 of 40,000 rows while
   * the charts refreshed (found by the kill test).
   */
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    exec(statements) {
      return serial(async () => {
        for (const s of typeof statements === 'string' ? [statements] : statements) await conn.query(s);
      });
    },
    query(sql) {
      return serial(async () => tableRows(await conn.query(sql)));
    },
    queryArrow(sql) {
      return serial(() => conn.query(sql));
    },
    queryCancellable(sql) {
      // send() runs the query as a pending query the worker advances step by step, so
      // cancelSent() can stop it between steps; query() runs it to the end in one call.
      return serial(async () => {
        cancelled = false;
        try {
          const reader = await conn.send(sql, true);
          const batches: RecordBatch[] = [];
          for await (const batch of reader) batches.push(batch);
          return batches.length ? new Table(batches) : new Table(reader.schema);
        } catch (err) {
          if (cancelled) throw new QueryCancelledError();
          throw err;
        } finally {
          cancelled = false;
        }
      });
    },
    async cancel() {
      // Not queued: it must reach the worker while the query it stops holds the connection.
      cancelled = true;
      await conn.cancelSent();
    },
    insertIPC(table, ipc, opts) {
      // insertArrowFromIPCStream transfers (detaches) its buffer: hand it a copy.
      return serial(() => conn.insertArrowFromIPCStream(ipc.slice(), { name: table, create: !opts?.append }));
    },
    memoryBytes() {
      return serial(async () => {
        const [row] = tableRows<{ memory_usage: string }>(await conn.query('PRAGMA database_size'));
        return parseByteSize(row?.memory_usage ?? '0');
      });
    },
    close() {
      return serial(async () => {
        await conn.close();
        await db.terminate();
      });
    },
  };
}
