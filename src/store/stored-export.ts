import { Table, tableToIPC } from 'apache-arrow';
import { tootsToRecordBatch } from '../core/arrow-batch';
import type { LocalData } from './local-data';
import { markTimestampsUtc } from './parquet-export';
import { concatParquet } from './parquet-concat';
import { spliceColumns } from './parquet-splice';
import { segmentColumnsIpc, segmentIpc, type ParquetCodec } from './snapshot';

/**
 * The Export button's file: every toot this tab holds, as one zstd Parquet file, built from what
 * is already encoded. Stored segments whose rows no later batch changed are copied row group by
 * row group (parquet-concat.ts), but for the few columns a segment leaves out (segment-form.ts),
 * which are read from DuckDB, encoded and spliced in (parquet-splice.ts); only the rows no clean segment holds
 * (batches since the last compaction, changed segments) are encoded whole. So exporting 1.6 M toots costs reading the
 * segments from IndexedDB, not re-encoding them, and never needs the table in one wasm buffer.
 *
 * Returns the file as parts for `new Blob(parts)` (no single giant copy).
 */
export async function exportStoredToots(local: LocalData, codec: ParquetCodec): Promise<{ parts: Uint8Array[]; bytes: number }> {
  // Inside `exclusive`: the segments copied and the rows encoded describe one state.
  const { stored, fresh } = await local.table.exclusive(async () => {
    const stored: Array<{ bytes: Uint8Array; columns: Uint8Array | null }> = [];
    const { clean, unsettled } = local.segmentsForExport();
    const reencode: number[] = [];
    for (const s of clean) {
      const bytes = await local.store.segment(s.id);
      // The columns the segment left out, as DuckDB holds them (the same rows, so the same values).
      const columns = bytes && s.derived?.length ? await segmentColumnsIpc(local.db, s.id, s.derived) : null;
      if (bytes) stored.push({ bytes, columns });
      else reencode.push(s.id); // another tab rewrote the manifest meanwhile: encode these rows
    }
    const fresh: Uint8Array[] = [];
    for (const seg of [null, ...unsettled, ...reencode]) {
      const part = await segmentIpc(local.db, seg);
      if (part.rows) fresh.push(part.ipc);
    }
    return { stored, fresh };
  });
  const files: Uint8Array[] = [];
  // A segment's left-out columns are encoded afresh and put in place of its nulls; the rest is copied.
  for (const s of stored) files.push(s.columns ? spliceColumns(s.bytes, await codec.writeColumns(s.columns)) : s.bytes);
  for (const ipc of fresh) files.push(await codec.write(ipc));
  // With no rows at all, still a valid (empty) file with the schema.
  if (!files.length) files.push(await codec.write(tableToIPC(markTimestampsUtc(new Table([tootsToRecordBatch([])])), 'stream')));
  const parts = concatParquet(files);
  return { parts, bytes: parts.reduce((n, p) => n + p.byteLength, 0) };
}
