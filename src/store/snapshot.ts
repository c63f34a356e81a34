import { tableToIPC } from 'apache-arrow';
import type { AnalyticsDb } from '../db/analytics-db';
import { TOOT_COLUMNS } from '../core/toot';

/**
 * A compacted copy of the whole database at one batch sequence number: `toots` as zstd Parquet
 * (≈ 3× smaller than the Arrow IPC batches it replaces), the small side tables as Arrow IPC.
 * Reload loads it directly (no merge) and replays only the batches written after it.
 */
export interface Snapshot {
  upToSeq: number;
  rows: number;
  toots: Uint8Array;
  /** Null when the table was empty (an empty IPC stream is not something DuckDB can insert). */
  sightings: Uint8Array | null;
  tombstones: Uint8Array | null;
  deletedUris: Uint8Array | null;
  writtenAt: number;
}

/** Parquet in and out, off the main thread in the browser (a worker), in-process in tests. */
export interface ParquetCodec {
  write(ipc: Uint8Array): Promise<Uint8Array>;
  read(parquet: Uint8Array): Promise<Uint8Array>;
}

const TOOTS_SQL = `SELECT ${TOOT_COLUMNS.map(([n]) => n).join(', ')} FROM toots`;
const SIDE_TABLES = { sightings: 'sightings', tombstones: 'tombstones', deletedUris: 'deleted_uris' } as const;

/** Reads the tables; call inside `TootTable.exclusive` so they match one sequence number. */
export async function readTables(db: AnalyticsDb): Promise<Omit<Snapshot, 'toots' | 'upToSeq' | 'writtenAt'> & { tootsIpc: Uint8Array }> {
  const toots = await db.queryArrow(TOOTS_SQL);
  const side = {} as Record<keyof typeof SIDE_TABLES, Uint8Array | null>;
  for (const [k, table] of Object.entries(SIDE_TABLES) as Array<[keyof typeof SIDE_TABLES, string]>) {
    const t = await db.queryArrow(`SELECT * FROM ${table}`);
    side[k] = t.numRows ? tableToIPC(t, 'stream') : null;
  }
  return { rows: toots.numRows, tootsIpc: tableToIPC(toots, 'stream'), ...side };
}

/** Empties the tables and fills them from a snapshot. Runs in one DuckDB transaction. */
export async function loadSnapshot(db: AnalyticsDb, snap: Snapshot, codec: ParquetCodec): Promise<void> {
  const tootsIpc = await codec.read(snap.toots);
  await db.exec('BEGIN TRANSACTION');
  try {
    await db.exec(['DELETE FROM toots', 'DELETE FROM sightings', 'DELETE FROM tombstones', 'DELETE FROM deleted_uris']);
    const parts: Array<[string, Uint8Array | null]> = [
      ['toots', snap.rows ? tootsIpc : null],
      ['sightings', snap.sightings],
      ['tombstones', snap.tombstones],
      ['deleted_uris', snap.deletedUris],
    ];
    for (const [table, ipc] of parts) {
      if (!ipc) continue;
      await db.exec('DROP TABLE IF EXISTS snapshot_in');
      await db.insertIPC('snapshot_in', ipc);
      await db.exec([`INSERT INTO ${table} SELECT * FROM snapshot_in`, 'DROP TABLE snapshot_in']);
    }
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
