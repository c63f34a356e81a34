/**
 * Points of the page's start as User Timing marks (`tootscope:<name>`), so `npm run bench:startup`
 * can say where the time between navigation and a first answer goes (issue 16). Costs a few
 * microseconds; nothing in the page reads them.
 */
export type StartMark =
  | 'script' // the app's script runs
  | 'duckdb-start' // DuckDB's start is asked for (its module chunk is imported)
  | 'duckdb-module' // that chunk has loaded
  | 'wasm-fetch-start'
  | 'wasm-fetched' // the page has the wasm's bytes (or leaves the fetch to the worker: service worker)
  | 'instantiated' // compiled and instantiated in DuckDB's worker
  | 'opened' // the database is open and answered `SELECT 1`
  | 'store-open' // the collector lock is settled and IndexedDB is open
  | 'table-ready' // DuckDB's table is set up and the stored toots are in it
  | 'ready' // the page says DuckDB is ready
  | 'first-summary'; // the summary panel's first query has answered

export function mark(name: StartMark): void {
  try {
    performance.mark(`tootscope:${name}`);
  } catch {
    // No User Timing (very old browsers): nothing to measure.
  }
}
