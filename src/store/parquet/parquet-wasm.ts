import { DataType, Field, RecordBatch, Schema, Struct, Table, Timestamp, makeData, tableToIPC, type Data } from 'apache-arrow';
import type * as ParquetWasm from 'parquet-wasm/esm';
import type { AnalyticsDb } from '../../db/analytics-db';
import { TOOT_COLUMNS } from '../../core/toot';

export type ParquetModule = Pick<typeof ParquetWasm, 'Table' | 'WriterPropertiesBuilder' | 'Compression' | 'Encoding' | 'writeParquet' | 'readParquet'>;

/**
 * DuckDB-WASM cannot write Parquet offline (the extension autoloads from the network), so the
 * result comes out as Arrow and parquet-wasm writes it. Timestamps are UTC instants: marking them
 * `UTC` makes the file's columns TIMESTAMP WITH TIME ZONE for DuckDB, Spark and pandas.
 */
export function markTimestampsUtc(table: Table): Table {
  const fields = table.schema.fields.map((f) =>
    DataType.isTimestamp(f.type) ? new Field(f.name, new Timestamp(f.type.unit, 'UTC'), f.nullable, f.metadata) : f,
  );
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map((b) => {
    const children = b.data.children.map((c: Data, i) => (DataType.isTimestamp(c.type) ? c.clone(fields[i]!.type) : c));
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: b.numRows, nullCount: 0, children }));
  });
  return new Table(schema, batches);
}

/** Parquet (zstd) of a query's result. */
export async function queryToParquet(db: AnalyticsDb, pq: ParquetModule, sql: string): Promise<Uint8Array> {
  const arrow = markTimestampsUtc(await db.queryArrow(sql));
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(arrow, 'stream'));
  const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
  return pq.writeParquet(wasmTable, props);
}

export const EXPORT_SQL = `SELECT ${TOOT_COLUMNS.map(([n]) => n).join(', ')} FROM toots ORDER BY created_ts, uri`;

export function exportTootsParquet(db: AnalyticsDb, pq: ParquetModule): Promise<Uint8Array> {
  return queryToParquet(db, pq, EXPORT_SQL);
}
