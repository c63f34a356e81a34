import type { AnalyticsDb } from '../../db/analytics-db';

/**
 * What a DuckDB database file holds, kept in the file itself (one row of `table_meta`), so a tab
 * that reopens it knows which batches to replay and whether it can trust it at all. The merge
 * writes it in the same transaction as the rows (TootTable.persist): a file that has a batch's
 * rows has its sequence number, and one that lost the batch to a crash has the number before.
 */
export interface TableMeta {
  /** TABLE_SCHEMA when written by this code; any other value: the tables may differ. */
  schema: number;
  /** DuckDB's `library_version` that wrote it (a file from another version is rebuilt). */
  duckdb: string;
  /** The newest batch whose rows the file holds (TootTable.appliedSeq). */
  appliedSeq: number;
  /** The manifest its `seg` tags describe (Snapshot.upToSeq and writtenAt), or -1 / 0: none. */
  manifestSeq: number;
  manifestAt: number;
  /** Segments whose rows batches changed since they were written (TootTable.dirty). */
  dirty: number[];
  /**
   * A compaction planned (rows tagged with `seg`) but not known to be committed to IndexedDB: its
   * new segment, the segments it merged in and the ones it rewrites, at batch `seq`.
   */
  pending: PendingCompaction | null;
}

export interface PendingCompaction {
  seq: number;
  id: number;
  rewrite: number[];
  merged: number[];
}

/**
 * Bump when the file's tables change shape (schema.ts, rollups.ts, this file): a file written
 * with another number is rebuilt from the segments, never read.
 */
export const TABLE_SCHEMA = 2;

export const CREATE_META = `CREATE TABLE IF NOT EXISTS table_meta (schema_version INTEGER, duckdb_version VARCHAR,
  applied_seq BIGINT, manifest_seq BIGINT, manifest_at DOUBLE, dirty VARCHAR, pending VARCHAR)`;

const text = (v: unknown) => `'${JSON.stringify(v).replaceAll("'", "''")}'`;

/** Replaces the meta row (a fresh file, or after a rebuild). */
export function writeMeta(m: Omit<TableMeta, 'schema' | 'duckdb'>): string[] {
  return [
    'DELETE FROM table_meta',
    `INSERT INTO table_meta SELECT ${TABLE_SCHEMA}, library_version, ${m.appliedSeq}, ${m.manifestSeq}, ${m.manifestAt},
       ${text(m.dirty)}, ${text(m.pending)} FROM pragma_version()`,
  ];
}

/** Changes some fields of the meta row; run it inside the transaction whose state it describes. */
export function updateMeta(m: Partial<Omit<TableMeta, 'schema' | 'duckdb'>>): string {
  const set: string[] = [];
  if (m.appliedSeq !== undefined) set.push(`applied_seq = ${m.appliedSeq}`);
  if (m.manifestSeq !== undefined) set.push(`manifest_seq = ${m.manifestSeq}`);
  if (m.manifestAt !== undefined) set.push(`manifest_at = ${m.manifestAt}`);
  if (m.dirty !== undefined) set.push(`dirty = ${text([...m.dirty].sort((a, b) => a - b))}`);
  if (m.pending !== undefined) set.push(`pending = ${text(m.pending)}`);
  return `UPDATE table_meta SET ${set.join(', ')}`;
}

/**
 * The meta row, or null when the file has none (a new file, or one some other code wrote).
 * `tables`: whether the file has the collection's tables at all (a file without them is new).
 */
export async function readMeta(db: AnalyticsDb): Promise<{ meta: TableMeta | null; tables: boolean; duckdb: string }> {
  const [info] = await db.query<{ meta: number; store: number; duckdb: string }>(
    `SELECT count(*) FILTER (table_name = 'table_meta')::INTEGER AS meta, count(*) FILTER (table_name = 'toot_store')::INTEGER AS store,
       (SELECT library_version FROM pragma_version()) AS duckdb
     FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary`,
  );
  const duckdb = info?.duckdb ?? '';
  const tables = (info?.store ?? 0) > 0;
  if (!info?.meta) return { meta: null, tables, duckdb };
  const rows = await db.query<{ schema_version: number; duckdb_version: string; applied_seq: bigint | number; manifest_seq: bigint | number; manifest_at: number; dirty: string; pending: string }>(
    'SELECT * FROM table_meta',
  );
  const r = rows.length === 1 ? rows[0]! : null;
  if (!r) return { meta: null, tables, duckdb };
  return {
    tables,
    duckdb,
    meta: {
      schema: r.schema_version,
      duckdb: r.duckdb_version,
      appliedSeq: Number(r.applied_seq),
      manifestSeq: Number(r.manifest_seq),
      manifestAt: r.manifest_at,
      dirty: JSON.parse(r.dirty) as number[],
      pending: JSON.parse(r.pending) as PendingCompaction | null,
    },
  };
}
