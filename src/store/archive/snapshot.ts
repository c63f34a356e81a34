import { tableToIPC } from 'apache-arrow';
import type { AnalyticsDb } from '../../db/analytics-db';
import { checkpointAndRelease } from '../../db/release-memory';
import { storedAsToots, tootValue, URI_KEYS } from '../../core/sql/schema';
import { CHECKPOINT_ROWS, rowGroupCuts } from '../../core/sql/checkpoints';
import { markTimestampsUtc } from '../parquet/parquet-wasm';
import { sourceOf } from './segment-form';
import type { Summary } from '../../core/sql/summary';

/** One stored zstd Parquet file of `toots` rows, written like the export (see parquet/concat.ts). */
export interface SegmentRef {
  id: number;
  rows: number;
  bytes: number;
  /** Columns stored as null where their source gives the value (segment-form.ts); absent: none. */
  derived?: string[];
  /**
   * The manifest (`upToSeq`) that wrote these bytes: a rewrite keeps the id, not this, so the
   * bucket sink (store/sink/) tells a rewritten segment from one it already uploaded.
   */
  at?: number;
}

/**
 * The manifest of the compacted data at one batch sequence number: the Parquet segments that hold
 * the `toots` rows (their bytes are stored under their own keys), and the small side tables as
 * Arrow IPC. Reload loads the segments directly (no merge) and replays only later batches.
 */
export interface Snapshot {
  upToSeq: number;
  rows: number;
  segments: SegmentRef[];
  /** Null when the table was empty (an empty IPC stream is not something DuckDB can insert). */
  sightings: Uint8Array | null;
  tombstones: Uint8Array | null;
  deletedUris: Uint8Array | null;
  writtenAt: number;
  /** The whole table as one Parquet file, as snapshots were stored before segments. */
  toots?: Uint8Array;
  /**
   * The summary row at `upToSeq`, shown while a reload loads the segments (tens of seconds at
   * 1.6 M toots). Absent in manifests written before it was kept.
   */
  summary?: Summary;
}

/** How far a reload has got: rows of the manifest inserted into DuckDB so far, of `total`. */
export interface LoadProgress {
  loaded: number;
  total: number;
}

/** Parquet in and out, off the main thread in the browser (a worker), in-process in tests. */
export interface ParquetCodec {
  /** `rebuild`: columns to rebuild first where null (segment-form.ts), as segmentIpc names them. */
  write(ipc: Uint8Array, rebuild?: readonly string[]): Promise<Uint8Array>;
  /** The rows as a segment stores them (segment-form.ts), and the columns it left to rebuild. */
  /** `rebuild` as segmentIpc names them: required, as a writer that left them null would store the nulls. */
  writeSegment(ipc: Uint8Array, rebuild: readonly string[]): Promise<{ bytes: Uint8Array; derived: string[] }>;
  /**
   * A few columns to splice into a stored segment (parquet/splice.ts), at zstd level 1: the
   * delta-encoded ids and urls come out as small as at level 3 in two thirds of the time.
   */
  writeColumns(ipc: Uint8Array, rebuild?: readonly string[]): Promise<Uint8Array>;
  read(parquet: Uint8Array): Promise<Uint8Array>;
  /**
   * The rows as `toot_store` holds them (with `seg` of that value, null: all null), as one Arrow
   * IPC stream per piece: the first piece ends before row `cuts[0]`, the next before `cuts[1]`…
   * `derived`: the segment's columns to rebuild (SegmentRef.derived).
   * Takes `parquet` over: the caller must not use it afterwards.
   */
  readStored(parquet: Uint8Array, seg: number | null, cuts?: readonly number[], derived?: readonly string[]): Promise<Uint8Array[]>;
}

const EMPTY_TABLES = ['DELETE FROM toot_store', 'DELETE FROM sightings', 'DELETE FROM tombstones', 'DELETE FROM deleted_uris', `DELETE FROM ${URI_KEYS}`];
const SIDE_TABLES = { sightings: 'sightings', tombstones: 'tombstones', deletedUris: 'deleted_uris' } as const;
type Side = Pick<Snapshot, 'sightings' | 'tombstones' | 'deletedUris'>;

/**
 * A segment's rows in the order it stores them. `uri` is unique, so the order is one and the same
 * whenever the rows are: the export relies on it to line up columns read here with a stored
 * segment's row groups (segmentColumnsIpc).
 */
const segmentRows = (seg: number | null) => `${seg === null ? 'seg IS NULL' : `seg = ${seg}`} ORDER BY created_ts, uri`;

/**
 * Columns DuckDB's file leaves out that the Parquet worker rebuilds from their source when it
 * writes or exports a segment: DuckDB's regexp for a url cost more than the rest of the export's
 * reads (~0.6 s of 1.6 M rows natively, one thread), segment-form's byte loop a fraction of it.
 */
const REBUILT_BY_WORKER = ['url'];

/**
 * The rows of one segment (or, with `null`, the rows no segment holds yet) as Arrow IPC with UTC
 * timestamps, sorted by time, ready for the Parquet writer with `rebuild` (its columns as the file
 * keeps them: writeSegment and write rebuild them). The same bytes are an export part.
 */
export async function segmentIpc(db: AnalyticsDb, seg: number | null): Promise<{ ipc: Uint8Array; rows: number; rebuild: string[] }> {
  const table = await db.queryArrow(`SELECT ${storedAsToots(REBUILT_BY_WORKER)} FROM toot_store WHERE ${segmentRows(seg)}`);
  // An empty result is not written at all (and apache-arrow cannot write DuckDB's empty list vectors).
  if (!table.numRows) return { ipc: new Uint8Array(0), rows: 0, rebuild: [] };
  return { ipc: tableToIPC(markTimestampsUtc(table), 'stream'), rows: table.numRows, rebuild: REBUILT_BY_WORKER };
}

/**
 * Some columns of a stored segment's rows, in its order, for the export to splice into its row
 * groups: `rebuild` of them come as the file keeps them, with their sources (for writeColumns).
 */
export async function segmentColumnsIpc(db: AnalyticsDb, seg: number, columns: readonly string[]): Promise<{ ipc: Uint8Array; rebuild: string[] }> {
  const rebuild = columns.filter((c) => REBUILT_BY_WORKER.includes(c));
  const select = [...columns.map((c) => (rebuild.includes(c) ? c : `${tootValue(c)} AS ${c}`)), ...rebuild.map(sourceOf)];
  return { ipc: tableToIPC(await db.queryArrow(`SELECT ${select.join(', ')} FROM toot_store WHERE ${segmentRows(seg)}`), 'stream'), rebuild };
}

/** The side tables; call inside `TootTable.exclusive` so they match one sequence number. */
export async function readSideTables(db: AnalyticsDb): Promise<Side> {
  const side = {} as Record<keyof typeof SIDE_TABLES, Uint8Array | null>;
  for (const [k, table] of Object.entries(SIDE_TABLES) as Array<[keyof typeof SIDE_TABLES, string]>) {
    const t = await db.queryArrow(`SELECT * FROM ${table}`);
    side[k] = t.numRows ? tableToIPC(t, 'stream') : null;
  }
  return side;
}

/**
 * Empties the tables and fills them from a manifest. Segment i+1 is
 * read from IndexedDB and decoded (in the Parquet worker) while DuckDB inserts segment i.
 * Rows of a pre-segment snapshot load as not yet in any segment, so the next compaction writes them.
 */
export async function loadSnapshot(
  db: AnalyticsDb,
  snap: Snapshot,
  segment: (id: number) => Promise<Uint8Array | null>,
  codec: ParquetCodec,
  progress: (p: LoadProgress) => void = () => undefined,
): Promise<void> {
  const sources: Array<{ rows: number; seg: number | null; derived?: string[]; bytes: () => Promise<Uint8Array> }> = (snap.segments ?? []).map((s) => ({
    rows: s.rows,
    seg: s.id,
    derived: s.derived,
    bytes: async () => {
      const bytes = await segment(s.id);
      if (!bytes) throw new Error(`stored segment ${s.id} is missing`);
      return bytes;
    },
  }));
  if (snap.toots && snap.rows) sources.push({ rows: snap.rows, seg: null, bytes: async () => snap.toots! });
  // Each piece is appended by itself, cut where a row group of DuckDB's fills up, and the table is
  // checkpointed there: appends inside one transaction are never compressed, and a checkpoint
  // that finds a row group it compressed before grown since took 3-4× as long (core/sql/checkpoints.ts).
  let planned = 0;
  const parts = sources.map((s) => {
    const cuts = rowGroupCuts(planned, s.rows);
    planned += s.rows;
    return { cuts, read: async () => codec.readStored(await s.bytes(), s.seg, cuts, s.derived) };
  });
  let next = parts[0]?.read();
  let done = 0;
  progress({ loaded: 0, total: planned });
  // The load rebuilds a cache of what IndexedDB holds, so a failure empties the tables instead.
  try {
    // The checkpoint drops the emptied row groups, so the pieces fill row groups from the first.
    await db.exec([...EMPTY_TABLES, 'CHECKPOINT']);
    for (let i = 0; i < parts.length; i++) {
      const pieces = await next!;
      next = parts[i + 1]?.read();
      for (const [k, ipc] of pieces.entries()) {
        await db.insertIPC('toot_store', ipc, { append: true });
        // Where the manifest's row counts hold (always, unless edited by hand), this is a full row group.
        if (k < parts[i]!.cuts.length) await checkpointAndRelease(db);
        // Piece k ends at cut k, the last one at the segment's end.
        progress({ loaded: done + Math.min(parts[i]!.cuts[k] ?? sources[i]!.rows, sources[i]!.rows), total: planned });
      }
      done += sources[i]!.rows;
    }
    if (planned % CHECKPOINT_ROWS) await db.exec('CHECKPOINT');
    const side: Array<[string, Uint8Array | null]> = [
      ['sightings', snap.sightings],
      ['tombstones', snap.tombstones],
      ['deleted_uris', snap.deletedUris],
    ];
    for (const [table, ipc] of side) if (ipc) await insertVia(db, ipc, `INSERT INTO ${table} SELECT * FROM snapshot_in`);
  } catch (err) {
    await next?.catch(() => undefined);
    await db.exec(EMPTY_TABLES).catch(() => undefined);
    throw err;
  }
}

async function insertVia(db: AnalyticsDb, ipc: Uint8Array, insert: string): Promise<void> {
  await db.exec('DROP TABLE IF EXISTS snapshot_in');
  await db.insertIPC('snapshot_in', ipc);
  await db.exec([insert, 'DROP TABLE snapshot_in']);
}
