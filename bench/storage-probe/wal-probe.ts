/**
 * The page of `node bench/storage-probe/wal-run.mjs [modes] [--rmwal] [--fill=N]`: what
 * duckdb-wasm 1.32 does with an OPFS database's write-ahead log across checkpoints and reopens
 * (scripts/patch-duckdb-opfs-wal.mjs). Not part of the app. Modes, one page load each:
 * - `a`: new file, 100 k rows, CHECKPOINT, then 1,000 rows committed (in the log only).
 * - `a0`: the same without the 1,000 rows: the log is left as the checkpoint leaves it.
 * - `checkpoint`: reopen and CHECKPOINT.
 * - `b`: reopen (the log replayed), count, 500 rows committed.
 * - `c`: reopen and count.
 * - `grow`: reopen, `--commits=N` (100) commits of 1,000 rows of ~1 KB (~10 MB of log a hundred),
 *   CHECKPOINT: what the log keeps at rest after the checkpoint of an engine that opened beside one.
 * - `open`: reopen and count, timed (`openMs`: from the worker's start to the count's answer,
 *   with the app's checkpoint of a log that is not empty).
 * On a reopen whose log is not empty it checkpoints first, as the app does (src/store/table-file.ts).
 * `--rmwal` removes an empty log before the open, `--fill=N` writes 16 bytes of N into it.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';

const FILE = 'wal-probe.duckdb';
const mode = new URLSearchParams(location.search).get('mode');
const commits = Number(new URLSearchParams(location.search).get('commits') ?? 100);

async function walBytes(): Promise<number | null> {
  const root = await navigator.storage.getDirectory();
  try {
    return (await (await root.getFileHandle(`${FILE}.wal`)).getFile()).size;
  } catch {
    return null;
  }
}

async function run(): Promise<Record<string, unknown>> {
  const log: Array<[string, unknown]> = [];
  if (new URLSearchParams(location.search).has('rmwal') && (await walBytes()) === 0) {
    await (await navigator.storage.getDirectory()).removeEntry(`${FILE}.wal`);
    log.push(['removed the empty log', true]);
  }
  const fill = new URLSearchParams(location.search).get('fill');
  if (fill !== null && (await walBytes()) === 0) {
    const w = await (await (await navigator.storage.getDirectory()).getFileHandle(`${FILE}.wal`)).createWritable();
    await w.write(new Uint8Array(16).fill(Number(fill)));
    await w.close();
    log.push(['filled the empty log', fill]);
  }
  const t0 = performance.now();
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), new Worker(ehWorker));
  await db.instantiate(ehWasm, null);
  await db.open({ path: `opfs://${FILE}`, accessMode: duckdb.DuckDBAccessMode.READ_WRITE });
  const conn = await db.connect();
  const q = async (sql: string) => (await conn.query(sql)).toArray().map((r) => r.toJSON());
  const count = async () => ((await q('SELECT count(*)::INT AS n, count(DISTINCT i)::INT AS d FROM t'))[0]);
  try {
    await q('SET autoinstall_known_extensions = false');
    await q('SET autoload_known_extensions = false');
    const atOpen = await walBytes();
    log.push(['opened, wal', atOpen]);
    // As the app does: a log replayed at the open goes into the file before anything else is written.
    if (mode !== 'a' && atOpen) {
      await q('CHECKPOINT');
      log.push(['checkpointed after the open, wal', await walBytes()]);
    }
    const insert = (from: number, n: number) => q(`INSERT INTO t SELECT i, repeat('x', 100) || i FROM range(${from}, ${from + n}) r(i)`);
    if (mode === 'a' || mode === 'a0') {
      await q('CREATE TABLE t (i INTEGER, pad VARCHAR)');
      await insert(0, 100_000);
      log.push(['100k committed, wal', await walBytes()]);
      await q('CHECKPOINT');
      log.push(['checkpointed, wal', await walBytes()]);
      if (mode === 'a') {
        await insert(1_000_000, 1_000);
        log.push(['1,000 committed, wal', await walBytes()]);
      }
    } else if (mode === 'checkpoint') {
      await q('CHECKPOINT');
      log.push(['checkpointed, wal', await walBytes()]);
    } else if (mode === 'grow') {
      await q(`SET checkpoint_threshold = '256MB'`); // as the app (src/core/sql/checkpoints.ts)
      // md5s, not a repeated letter, which the log keeps at ~100 B a row.
      const pad = Array.from({ length: 32 }, (_, j) => `md5((i * 32 + ${j})::VARCHAR)`).join(' || ');
      for (let k = 0; k < commits; k++) await q(`INSERT INTO t SELECT i, ${pad} FROM range(${3_000_000 + k * 1_000}, ${3_001_000 + k * 1_000}) r(i)`);
      log.push([`${commits} commits, wal`, await walBytes()]);
      await q('CHECKPOINT');
      log.push(['checkpointed, wal', await walBytes()]);
    } else if (mode === 'open') {
      log.push(['count', await count()]);
      log.push(['openMs', Math.round(performance.now() - t0)]);
    } else if (mode === 'b') {
      log.push(['count', await count()]);
      await insert(2_000_000, 500);
      log.push(['500 committed, wal', await walBytes()]);
    }
    log.push(['count at the end', await count()]);
    return { ok: true, log };
  } catch (e) {
    return { ok: false, error: String((e as Error)?.message ?? e).slice(0, 500), log };
  }
}

declare global {
  interface Window {
    probe?: Promise<Record<string, unknown>>;
  }
}
window.probe = run();
