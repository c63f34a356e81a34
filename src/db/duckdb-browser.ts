import * as duckdb from '@duckdb/duckdb-wasm';
import { RecordBatch, Table } from 'apache-arrow';
import { OFFLINE_SETTINGS, QueryCancelledError, asOneScript, parseByteSize, tableRows, type AnalyticsDb } from './analytics-db';
import type { StartStep } from './start-step';
import { instantiateDuckDb, type InstantiatedDb } from './duckdb-worker-start';
import { mark } from './startup-marks';
import { limitSetting, releaseMemory } from './release-memory';

mark('duckdb-module');

export interface BrowserDb extends AnalyticsDb {
  /** Which duckdb-wasm bundle runs: `eh`, or `mvp` where WebAssembly exceptions are missing. */
  readonly bundle: string;
  /** The database file (`opfs://…`) the tables live in, or null: in memory. */
  readonly path: string | null;
}

/**
 * DuckDB-WASM in its Web Worker. Loaded on demand by `import()`, so the page paints first.
 * `path` (`opfs://name`) opens that database file read-write; it fails (and the worker is ended)
 * when the file cannot be opened, damaged or held by another tab. `onStep` hears how far the
 * start is: the wasm's bytes, then compiling, then opening. `started` is a worker instantiated
 * beforehand (`instantiateDuckDb`); without it, one is started here.
 */
export async function openBrowserDb(
  opts: { path?: string; onStep?: (s: StartStep) => void; started?: Promise<InstantiatedDb> | null } = {},
): Promise<BrowserDb> {
  const onStep = opts.onStep ?? (() => undefined);
  const { db, bundle } = await (opts.started ?? instantiateDuckDb(onStep));
  try {
    onStep({ step: 'open' });
    const file = opts.path ? { path: opts.path, accessMode: duckdb.DuckDBAccessMode.READ_WRITE } : {};
    await db.open({ ...file, query: { castBigIntToDouble: false } });
    const conn = await db.connect();
    for (const s of OFFLINE_SETTINGS) await conn.query(s);
    await conn.query('SELECT 1');
    // Only a file's blocks can leave memory: in memory there is nowhere for them to go.
    const [setting] = opts.path ? tableRows<{ l: string }>(await conn.query(`SELECT current_setting('memory_limit') AS l`)) : [];
    const limit = setting ? limitSetting(setting.l) : null;
    mark('opened');
    return { bundle, path: opts.path ?? null, ...overConnection(db, conn, limit) };
  } catch (err) {
    await db.terminate().catch(() => undefined);
    throw err;
  }
}

/**
 * The app's interface over one connection of a started duckdb-wasm (bench/opfs-probe uses it too).
 * `memoryLimit`: DuckDB's own limit, which `releaseMemory` sets back; null where there is no file.
 */
export function overConnection(db: duckdb.AsyncDuckDB, conn: duckdb.AsyncDuckDBConnection, memoryLimit: string | null = null): AnalyticsDb {
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
      // One round trip for the lot (analytics-db.ts `asOneScript`).
      return serial(async () => void (await conn.query(asOneScript(statements))));
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
    ...(memoryLimit === null ? {} : {
      releaseMemory: () => serial(() => releaseMemory((sql) => conn.query(sql), memoryLimit)),
    }),
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
