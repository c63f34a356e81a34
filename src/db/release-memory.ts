import { parseByteSize, type AnalyticsDb } from './analytics-db';

/**
 * What a release keeps. DuckDB's eviction queue takes the blocks unpinned longest ago first, so
 * what stays is roughly what the merges and the charts used last: the data cubes (34 MB of the
 * file at 1.6 M toots, 65 MB at 10 M) and the newest rows. In a bench run that evicted everything,
 * one languages query at 1.6 M took 215 ms where 5 ms is usual, most likely reading its cube
 * from disk again after a compaction's checkpoint.
 */
export const RELEASE_KEEP_MIB = 128;

/**
 * DuckDB keeps every block of its database file it has read or written in its buffer pool, up to
 * its memory limit (3.1 GiB in the browser): after collecting 10 M toots that was 2.6 GB of the
 * tab's memory, 440 MB at 1.6 M (docs/BENCHMARKS.md), though every one of those blocks was on
 * disk after the last checkpoint and the next merge needs few of them.
 *
 * Lowering the limit makes DuckDB evict unpinned blocks at once (BufferPool::SetLimit); setting it
 * back right after means no statement ever runs under the low limit. One that did, at 256 MB,
 * ended in "database has been invalidated because of a previous fatal error" (docs/BENCHMARKS.md,
 * "A lower DuckDB memory limit: tried, not kept"). What cannot be evicted (temporary tables,
 * rows not yet checkpointed: the browser has no temporary directory) stays, and the lowering then
 * fails after evicting what it could; the limit is set back either way.
 *
 * Set back with SET, never RESET: in duckdb-wasm 1.32, `RESET memory_limit` reports the default
 * again but leaves the buffer pool at the low limit (the next big query failed with "Out of Memory
 * Error … (60.9 MiB/61.0 MiB used)").
 */
export async function releaseMemory(run: (sql: string) => Promise<unknown>, limit: string, keepMiB = RELEASE_KEEP_MIB): Promise<void> {
  try {
    await run(`SET memory_limit = '${keepMiB}MiB'`);
  } catch {
    // Evicted what it could, then refused the limit: what was wanted.
  } finally {
    await run(`SET memory_limit = '${limit}'`);
  }
}

/**
 * DuckDB's `current_setting('memory_limit')` ("3.1 GiB") as a value SET takes, rounded down to a
 * MiB; null for anything that does not read as a working limit, which is then never touched.
 */
export function limitSetting(text: string): string | null {
  const mib = Math.floor(parseByteSize(text) / 2 ** 20);
  return mib >= 256 ? `${mib}MiB` : null;
}

/** A checkpoint, after which every block is on disk and DuckDB gives back what it holds. */
export async function checkpointAndRelease(db: AnalyticsDb): Promise<void> {
  await db.exec('CHECKPOINT');
  await db.releaseMemory?.();
}
