import { EngineStartError, type AnalyticsDb } from '../db/analytics-db';
import type { BatchStore } from './wal/batch-store';
import type { Snapshot } from './archive/snapshot';
import { readMeta, TABLE_SCHEMA, type TableMeta } from './duckdb/table-meta';

/**
 * DuckDB's own database file as a cache of what IndexedDB holds (the batches, the write-ahead
 * log; the segments, the archive). Nothing depends on the file for durability: whenever it cannot
 * be trusted to hold exactly the batches its meta row names, tagged with the segments of the
 * manifest IndexedDB holds, it is removed and rebuilt from the segments, and the page says why.
 */

/** True when `meta` describes the stored manifest `snap`, or one its own pending compaction committed. */
export function sameManifest(meta: TableMeta, snap: Pick<Snapshot, 'upToSeq' | 'writtenAt'> | null): boolean {
  const seq = snap?.upToSeq ?? -1;
  if (meta.manifestSeq === seq && (seq < 0 || meta.manifestAt === snap!.writtenAt)) return true;
  return meta.pending !== null && meta.pending.seq === seq;
}

/**
 * Why the file open in `db` cannot be used as it is, in plain words, or null: it can (a new,
 * empty file included). Reads only the meta row and IndexedDB's keys, never a segment.
 */
export async function fileProblem(db: AnalyticsDb, store: BatchStore): Promise<string | null> {
  const { meta, tables, duckdb } = await readMeta(db);
  if (!meta) {
    if (!tables || (await firstOpenCutShort(db, store))) return null;
    return 'it does not say which stored toots it holds (a rebuild was interrupted, or an older Tootscope wrote it)';
  }
  if (meta.schema !== TABLE_SCHEMA) return `it was written by another version of Tootscope (table format ${meta.schema}; this page uses ${TABLE_SCHEMA})`;
  if (meta.duckdb !== duckdb) return `it was written by DuckDB ${meta.duckdb}, and this page runs DuckDB ${duckdb}`;
  const snapSeq = await store.snapshotSeq();
  if (meta.appliedSeq < snapSeq) return 'toots it never took in were compacted away since it was written (another tab collected meanwhile)';
  if (meta.appliedSeq > (await store.newestSeq())) return "it holds toots this browser's stored batches no longer have (site data was partly cleared)";
  const snap = snapSeq < 0 ? null : await store.snapshot();
  if (!sameManifest(meta, snap)) return 'another tab compacted the stored toots since it was written';
  return null;
}

/**
 * A profile's first open that ended (a crash, a closed tab) between creating the tables and
 * writing the meta row, which DuckDB's start can leave a second or so into a first visit (e2e
 * kill-during-collection saw it once in ten kills): no row in the table and no stored manifest,
 * so no rebuild can have been cut off either. It holds nothing, and is taken up as a new file.
 */
async function firstOpenCutShort(db: AnalyticsDb, store: BatchStore): Promise<boolean> {
  if ((await store.snapshotSeq()) >= 0) return false;
  const [r] = await db.query<{ rows: number }>('SELECT count(*)::INTEGER AS rows FROM (SELECT 1 FROM toot_store LIMIT 1)');
  return r?.rows === 0;
}

/**
 * Opens the database file with `open` and checks it; a file that fails to open or to be read, or
 * that `fileProblem` rejects, is closed and removed (with its `.wal`), and an empty one opened in
 * its place. `rebuilt` then says why, for the page. Throws when the file cannot be removed either
 * (another tab holds it, say): the caller keeps its table in memory.
 *
 * `prepareLog` readies the file's write-ahead log for DuckDB and says its size (opfs-file.ts). A
 * file whose log is not empty is checkpointed before anything else writes to it: DuckDB has
 * replayed the log into memory, and in duckdb-wasm the next write would overwrite that log from
 * its first byte, so a reopen after it would find neither (scripts/patch-duckdb-opfs-wal.mjs).
 */
export async function openTableFile<D extends AnalyticsDb>(
  open: () => Promise<D>,
  remove: () => Promise<void>,
  store: BatchStore,
  fileSize: () => Promise<number | null> = async () => null,
  prepareLog: () => Promise<number | null> = async () => null,
): Promise<{ db: D; rebuilt: string | null }> {
  let problem = cutShort(await fileSize());
  const logged = problem ? 0 : ((await prepareLog()) ?? 0);
  let db: D | null = null;
  if (!problem) {
    try {
      db = await openWhenFree(open);
      problem = await fileProblem(db, store);
      if (!problem) {
        if (logged > 0) await db.exec('CHECKPOINT');
        return { db, rebuilt: null };
      }
    } catch (err) {
      // DuckDB could not start at all: the file is not to blame, and is kept.
      if (err instanceof EngineStartError) throw err;
      problem = `it could not be ${db ? 'read' : 'opened'} (${(err as Error).message.split('\n')[0]})`;
    }
  }
  await db?.close().catch(() => undefined);
  await remove();
  return {
    db: await open(),
    rebuilt: `DuckDB's table file could not be used: ${problem}. It is rebuilt from the stored toots; nothing is lost.`,
  };
}

/** DuckDB's file: three 4 KiB headers, then whole blocks of 256 KiB (its default block allocation). */
const HEADERS_BYTES = 3 * 4096;
const BLOCK_BYTES = 256 * 1024;

/**
 * Why a file of `size` bytes cannot be whole, or null. duckdb-wasm 1.32's open of a file cut short
 * inside its headers never returned (the page said "Loading stored toots…" for good), so a size that
 * is not headers plus whole blocks is caught before DuckDB sees it. 0 or unknown: a new file.
 */
export function cutShort(size: number | null): string | null {
  if (!size) return null;
  if (size >= HEADERS_BYTES && (size - HEADERS_BYTES) % BLOCK_BYTES === 0) return null;
  return `it was cut short (${size.toLocaleString('en')} bytes is not DuckDB's headers and whole blocks)`;
}

/** OPFS lets one access handle at a time hold a file; DuckDB's error then names it. */
const HELD = /NoModificationAllowed|Access Handle|locked/i;

/**
 * Opens, waiting up to ~5 s while the file is held: on a reload the last page's DuckDB worker may
 * let go of it a moment after the new page starts, and a held file is not a damaged one.
 */
async function openWhenFree<D>(open: () => Promise<D>): Promise<D> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (attempt >= 25 || !HELD.test(String((err as Error)?.message ?? err))) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
