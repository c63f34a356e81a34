import type { Table } from 'apache-arrow';

/**
 * The small typed surface the app needs from DuckDB. The browser implementation runs
 * duckdb-wasm in a Web Worker; unit tests run the same SQL on duckdb-wasm's blocking Node bundle.
 */
export interface AnalyticsDb {
  /** Run statements in order; the first failure rejects and later ones do not run. */
  exec(statements: string | readonly string[]): Promise<void>;
  /** Rows as plain objects. Cast counts and sums in SQL (`::INTEGER`, `::DOUBLE`): see DUCKDB-WASM.md. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  queryArrow(sql: string): Promise<Table>;
  /**
   * `queryArrow` that `cancel()` can stop while it runs (the SQL console's Cancel). Where the
   * engine cannot interrupt a query (duckdb-wasm's blocking Node bundle) it is queryArrow.
   */
  queryCancellable?(sql: string): Promise<Table>;
  /** Interrupts the running `queryCancellable`, which then rejects with QueryCancelledError. */
  cancel?(): Promise<void>;
  /**
   * Create `table` from Arrow IPC stream bytes, or with `append` add the rows to an existing table
   * (columns by position). The bytes are copied first: duckdb-wasm detaches them.
   */
  insertIPC(table: string, ipc: Uint8Array, opts?: { append?: boolean }): Promise<void>;
  /** Bytes DuckDB holds (`pragma database_size` memory_usage). */
  memoryBytes(): Promise<number>;
  /**
   * Drops the database file's blocks DuckDB holds in memory (release-memory.ts); for after a
   * checkpoint, when they are all on disk. Absent where the tables live in memory.
   */
  releaseMemory?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Statements as one SQL script, for one call to DuckDB: it runs them in order and stops at the
 * first failure, as calling them one by one does. Each call is a round trip to duckdb-wasm's
 * worker, whose answer waits for the page's main thread; during an ingest at 1.6 M toots the
 * merges made 3,192 calls, a trivial one taking 6-9 ms (1.5 at best) with DuckDB idle meanwhile
 * (docs/BENCHMARKS.md). Each statement ends on a line of its own, so a trailing `--` comment
 * cannot swallow the separator.
 */
export const asOneScript = (statements: string | readonly string[]): string =>
  typeof statements === 'string' ? statements : statements.join('\n;\n');

/** Must run right after open(): a failed extension autoload offline breaks the instance (DUCKDB-WASM.md). */
export const OFFLINE_SETTINGS = [
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false',
];

export function tableRows<T>(table: Table): T[] {
  return table.toArray().map((r) => ({ ...(r.toJSON() as object) }) as T);
}

/** `memory_usage` comes back as text such as "12.5 MiB". */
export function parseByteSize(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]i?B|bytes)?/i.exec(text.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'bytes').toUpperCase();
  const scale: Record<string, number> = { BYTES: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3, TIB: 1024 ** 4 };
  return n * (scale[unit] ?? 1);
}

/**
 * DuckDB itself could not start (its wasm did not arrive, or would not compile): nothing about a
 * database file. Whoever opens a file lets it through instead of removing the file as damaged.
 */
export class EngineStartError extends Error {}

/** The query was stopped by `cancel()`. */
export class QueryCancelledError extends Error {
  constructor() {
    super('Query cancelled.');
  }
}
