import { Table, tableToIPC } from 'apache-arrow';
import { tootsToRecordBatch } from '../../core/arrow-batch';
import type { LocalData } from '../local-data';
import { markTimestampsUtc } from '../parquet/parquet-wasm';
import { concatParquet } from '../parquet/concat';
import { spliceColumns } from '../parquet/splice';
import { segmentColumnsIpc, segmentIpc, type ParquetCodec } from '../archive/snapshot';

/** What an instance runs, as the export's `tootscope.instances` key/value metadata lists it. */
export interface InstanceSoftware {
  base_url: string;
  /** NodeInfo's lower-case name (`mastodon`, `akkoma`, `misskey`…), `tootscope-demo` for the demo. */
  software: string;
  version: string;
}

/** The file-level metadata key that lists each `base_url`'s server software (docs/SCHEMA.md § Export metadata). */
export const INSTANCES_KEY = 'tootscope.instances';

/**
 * The Export button's file: every toot this tab holds, as one zstd Parquet file, built from what
 * is already encoded. Stored segments whose rows no later batch changed are copied row group by
 * row group (parquet/concat.ts), but for the few columns a segment leaves out (archive/segment-form.ts),
 * which are read from DuckDB (a url rebuilt from its uri by the Parquet worker: `segmentColumnsIpc`),
 * encoded and spliced in (parquet/splice.ts). Only the rows no clean
 * segment holds (batches since the last compaction, changed segments) are encoded whole. So
 * exporting 1.6 M toots costs reading the segments from IndexedDB and encoding five narrow
 * columns, not re-encoding every toot, and never needs the table in one wasm buffer.
 *
 * Returns the file as parts for `new Blob(parts)` (no single giant copy).
 */
export async function exportStoredToots(
  local: LocalData, codec: ParquetCodec, opts: { instances?: readonly InstanceSoftware[] } = {},
): Promise<{ parts: Uint8Array[]; bytes: number }> {
  // Each file is encoded in the Parquet worker as soon as DuckDB has given its rows, while DuckDB
  // reads the next: at 1.6 M toots the export took 4.6 s with the two one after the other.
  const started = (p: Promise<Uint8Array>) => {
    p.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    return p;
  };
  // Inside `exclusive`: the segments copied and the rows encoded describe one state.
  const pending = await local.table.exclusive(async () => {
    const pending: Array<Promise<Uint8Array>> = [];
    const { clean, unsettled } = local.segmentsForExport();
    const reencode: number[] = [];
    for (const s of clean) {
      const bytes = await local.store.segment(s.id);
      if (!bytes) {
        reencode.push(s.id); // another tab rewrote the manifest meanwhile: encode these rows
        continue;
      }
      if (!s.derived?.length) {
        pending.push(Promise.resolve(bytes));
        continue;
      }
      // The columns the segment left out, from DuckDB's rows (the same rows, so the same values).
      const { ipc, rebuild } = await segmentColumnsIpc(local.db, s.id, s.derived);
      pending.push(started(codec.writeColumns(ipc, rebuild).then((c) => spliceColumns(bytes, c))));
    }
    for (const seg of [null, ...unsettled, ...reencode]) {
      const part = await segmentIpc(local.db, seg);
      if (part.rows) pending.push(started(codec.write(part.ipc, part.rebuild)));
    }
    return pending;
  });
  const files = await Promise.all(pending);
  // With no rows at all, still a valid (empty) file with the schema.
  if (!files.length) files.push(await codec.write(tableToIPC(markTimestampsUtc(new Table([tootsToRecordBatch([])])), 'stream')));
  // The software is a fact about the instance, not the toot: one list in the footer, not a column
  // (a column would change the stored segments' schema, which export copies as they are).
  const parts = concatParquet(files, opts.instances ? { [INSTANCES_KEY]: JSON.stringify(opts.instances) } : {});
  return { parts, bytes: parts.reduce((n, p) => n + p.byteLength, 0) };
}
