import type { AnalyticsDb } from '../../db/analytics-db';
import { STORED_AS_TOOTS } from '../../core/sql/schema';
import type { ParquetCodec, SegmentRef } from '../archive/snapshot';
import { exportHiveFiles, type HiveFile } from '../export/hive-export';

/** A Hive object of one segment: `date=…/instance=…/part-<content hash>.parquet`, and its bytes. */
export interface HivePart {
  path: string;
  rows: number;
  bytes: Uint8Array;
}

/**
 * One stored segment as the Hive files the zip export writes (hive-export.ts: the 36 columns of
 * SCHEMA.md, partitioned by UTC date and the instance collected from), each named after a hash of its bytes.
 *
 * Read from the segment's stored bytes, not from DuckDB's live table: rows a later batch edited
 * or deleted are still in the stored segment until the next compaction rewrites it, and the
 * bucket must follow the local manifest exactly so that every post is in it once.
 *
 * The rows pass through a temporary table, so `run` (the table's `exclusive`) keeps merges off
 * the shared connection meanwhile; the Parquet encoding runs after it, in the codec.
 */
export async function segmentHiveParts(
  db: AnalyticsDb,
  codec: ParquetCodec,
  segment: SegmentRef,
  bytes: Uint8Array,
  run: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): Promise<HivePart[]> {
  const pieces = await codec.readStored(bytes, null, [], segment.derived);
  const files: HiveFile[] = (
    await exportHiveFiles(db, codec, {
      from: 'sink_segment',
      run: (fn) =>
        run(async () => {
          await db.exec([
            'DROP VIEW IF EXISTS sink_segment',
            'DROP TABLE IF EXISTS sink_rows',
            'CREATE TEMP TABLE sink_rows AS SELECT * FROM toot_store LIMIT 0',
            `CREATE TEMP VIEW sink_segment AS SELECT ${STORED_AS_TOOTS} FROM sink_rows`,
          ]);
          try {
            for (const ipc of pieces) await db.insertIPC('sink_rows', ipc, { append: true });
            return await fn();
          } finally {
            await db.exec(['DROP VIEW IF EXISTS sink_segment', 'DROP TABLE IF EXISTS sink_rows']).catch(() => undefined);
          }
        }),
    })
  ).files;
  const parts: HivePart[] = [];
  for (const f of files) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    parts.push({ path: `${dir}/part-${await contentHash(f.bytes)}.parquet`, rows: f.rows, bytes: f.bytes });
  }
  return parts;
}

/** The first 128 bits of SHA-256, hex: the same rows always make the same name. */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
