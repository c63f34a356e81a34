import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { wasmSize, type StartStep } from './start-step';
import { mark } from './startup-marks';
import { EngineStartError } from './analytics-db';

/**
 * Bundles come from our own assets (never a CDN): the page works offline and under any sub-path.
 * Single-threaded `eh` (with `mvp` for a browser without WebAssembly exceptions), never the
 * threaded `coi`: coi took 2.5-5.3 s to start here against ~1 s for eh, needs the page
 * cross-origin isolated, and cannot open a database file in OPFS (duckdb-wasm#2096, #2243), which
 * issue 15 keeps the table in. Figures: docs/BENCHMARKS.md, "probe: DuckDB's own database file".
 */

/** A worker with the wasm compiled and instantiated, no database open yet. */
export interface InstantiatedDb {
  db: duckdb.AsyncDuckDB;
  bundle: 'eh' | 'mvp';
}

/**
 * duckdb-wasm's own test for WebAssembly exceptions (`getPlatformFeatures`, which is async: this
 * runs before the page's first microtask checkpoint instead): a module with a `try` block.
 */
const EXCEPTIONS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11]);

/**
 * No byte of the wasm for this long, before all of it arrived: the download failed or stalled.
 * duckdb-wasm's worker never answers then (its `instantiateStreaming(…).then(…)` has no catch;
 * the same hang in Emscripten's own fetch was left as is upstream, emscripten#13516), and the
 * page would say "downloading" for good.
 */
export const DOWNLOAD_STALL_MS = 30_000;

/**
 * Starts DuckDB's worker and has it download, compile and instantiate the wasm, from the moment
 * the app's script runs: this needs nothing of the page, so it runs while the page mounts and
 * settles which database to open (the collector's file or memory), and the open then only opens.
 *
 * The worker fetches the wasm itself (through the service worker's precache once there is one)
 * and compiles it as it streams in. Measured against the earlier start (bench/startup's marks and
 * a CPU profile, issue 16): the worker began only once duckdb-browser's chunk had loaded behind
 * the mount (0.5–0.85 s later), and a download read on the page's own thread into a blob held up
 * that thread's start-up work by another ~1 s on a first visit.
 */
export async function instantiateDuckDb(onStep: (s: StartStep) => void): Promise<InstantiatedDb> {
  const bundle = WebAssembly.validate(EXCEPTIONS_PROBE) ? 'eh' : 'mvp';
  const wasmUrl = new URL(bundle === 'eh' ? ehWasm : mvpWasm, location.href).href;
  const worker = new Worker(bundle === 'eh' ? ehWorker : mvpWorker);
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), worker);
  const total = wasmSize(wasmUrl);
  let downloaded = false;
  const done = () => {
    if (downloaded) return;
    downloaded = true;
    mark('wasm-fetched');
    onStep({ step: 'compile' });
  };
  let lastByte = Date.now();
  let watch: ReturnType<typeof setTimeout> | undefined;
  // Only where the size is known: otherwise the last byte cannot be told from a stall.
  const stalled = new Promise<never>((_, reject) => {
    if (!total) return;
    const check = () => {
      if (downloaded) return;
      const quiet = Date.now() - lastByte;
      if (quiet < DOWNLOAD_STALL_MS) {
        watch = setTimeout(check, DOWNLOAD_STALL_MS - quiet);
        return;
      }
      reject(new EngineStartError(`its wasm did not arrive (no byte for ${DOWNLOAD_STALL_MS / 1000} s: offline, or the download failed). Collection goes on into this browser's storage; reload to try again.`));
    };
    watch = setTimeout(check, DOWNLOAD_STALL_MS);
  });
  try {
    mark('wasm-fetch-start');
    onStep({ step: 'download', loaded: 0, total });
    await Promise.race([
      stalled,
      db.instantiate(wasmUrl, null, (p) => {
        lastByte = Date.now();
        // bytesTotal is the response's length, compressed as served (duckdb-wasm#2077): the size is ours.
        const size = Math.max(total, p.bytesLoaded);
        if (p.bytesLoaded >= size && size > 0) done();
        else if (!downloaded) onStep({ step: 'download', loaded: p.bytesLoaded, total: size });
      }),
    ]);
    done();
    mark('instantiated');
    return { db, bundle };
  } catch (err) {
    await db.terminate().catch(() => undefined);
    throw err instanceof EngineStartError ? err : new EngineStartError((err as Error).message);
  } finally {
    clearTimeout(watch);
  }
}
