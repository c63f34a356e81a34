import { createRequire } from 'node:module';
import path from 'node:path';
import { createDuckDB, ConsoleLogger, LogLevel, NODE_RUNTIME } from '@duckdb/duckdb-wasm/blocking';
import { tableFromIPC, type Table } from 'apache-arrow';
import { OFFLINE_SETTINGS, asOneScript, parseByteSize, tableRows, type AnalyticsDb } from '../../../src/db/analytics-db';

const require = createRequire(import.meta.url);
// The blocking bundle is CommonJS and so loads apache-arrow's CommonJS build: its classes are not
// the ESM ones our code imports (instanceof fails), so results cross over as IPC bytes.
const cjsArrow = require('apache-arrow') as { tableToIPC(t: unknown, f: 'stream'): Uint8Array };
const toOurArrow = (t: unknown): Table => tableFromIPC(cjsArrow.tableToIPC(t, 'stream'));
const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));

type Engine = Awaited<ReturnType<typeof createDuckDB>>;

/**
 * Engines whose database a test closed. Instantiating duckdb-wasm takes 1.3-1.8 s here (its
 * memory and static state, not the compile), and a test that reopens its data as a reload does
 * paid that per open: ~100 s of the unit suite. `open` gives an engine a new, empty database, as
 * a fresh instance has, so the next open takes a closed one (DUCKDB-WASM.md § Tests in Node).
 */
const closed: Engine[] = [];

async function engine(): Promise<Engine> {
  return closed.pop() ?? newEngine();
}

/** A new duckdb-wasm engine, instantiated, with no database open yet. */
export async function newEngine(): Promise<Engine> {
  const db = await createDuckDB(
    {
      mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
      eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
    },
    new ConsoleLogger(LogLevel.WARNING),
    NODE_RUNTIME,
  );
  await db.instantiate();
  return db;
}

/** The same DuckDB-WASM engine the page runs, synchronous, for unit tests (DUCKDB-WASM.md § Tests in Node). */
export async function openNodeDuckDb(): Promise<AnalyticsDb> {
  const db = await engine();
  db.open({});
  const conn = db.connect();
  for (const s of OFFLINE_SETTINGS) conn.query(s);
  let done = false;
  // A closed database's engine goes to the next open, and a connection id can come back with it:
  // a timer of an earlier test (TootTable.refreshWhenQuiet) must not run on a later test's data.
  const live = () => {
    if (done) throw new Error('the database is closed');
    return conn;
  };
  return {
    async exec(statements) {
      // As the browser's does, so a statement that cannot run in a script fails here too.
      live().query(asOneScript(statements));
    },
    async query(sql) {
      return tableRows(live().query(sql));
    },
    async queryArrow(sql) {
      return toOurArrow(live().query(sql));
    },
    async insertIPC(table, ipc, opts) {
      live().insertArrowFromIPCStream(ipc.slice(), { name: table, create: !opts?.append });
    },
    async memoryBytes() {
      const [row] = tableRows<{ memory_usage: string }>(live().query('PRAGMA database_size'));
      return parseByteSize(row?.memory_usage ?? '0');
    },
    async close() {
      // Twice (a test's own close, then the helper's afterEach) must not hand one engine to two
      // later opens: the second open would wipe the first's database.
      if (done) return;
      done = true;
      conn.close();
      closed.push(db);
    },
  };
}
