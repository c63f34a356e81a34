import type { BrowserContext, Route } from 'playwright-core';

/** DuckDB's wasm files as the build names them (hashed), by path or URL. */
export const DUCKDB_WASM = /duckdb-(eh|mvp)-[^/]*\.wasm$/;

/**
 * Holds back every DuckDB wasm request of `context` until `release()`: the page runs as it does
 * while DuckDB starts, for as long as a test needs. `held()` counts the requests held.
 */
export async function holdDuckDbWasm(context: BrowserContext): Promise<{ held(): number; release(): void; stop(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held = 0;
  const hold = async (route: Route) => {
    held++;
    await released;
    await route.continue();
  };
  await context.route(DUCKDB_WASM, hold);
  return {
    held: () => held,
    release,
    stop: async () => {
      release();
      await context.unroute(DUCKDB_WASM, hold);
    },
  };
}
