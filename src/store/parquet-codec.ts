import { Field, Int32, RecordBatch, Schema, Struct, Table, makeData, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { ParquetModule } from './parquet-export';
import type { ParquetCodec } from './snapshot';

/** parquet-wasm as a codec: Arrow IPC stream ⇄ zstd Parquet. Timestamps stay as they are. */
export function parquetCodec(pq: ParquetModule): ParquetCodec {
  return {
    async write(ipc) {
      const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
      return pq.writeParquet(pq.Table.fromIPCStream(ipc), props);
    },
    async read(parquet, seg) {
      const ipc = pq.readParquet(parquet).intoIPCStream();
      return seg === undefined ? ipc : withSegment(ipc, seg);
    },
  };
}

/**
 * The rows plus a constant `seg` column, so a reload appends a segment straight into `toot_store`
 * (whose last column it is) instead of loading it into a table and copying it over, which cost
 * DuckDB as much again. Runs in the Parquet worker, beside DuckDB's. The buffers are reused.
 */
function withSegment(ipc: Uint8Array, seg: number | null): Uint8Array {
  const table = tableFromIPC(ipc);
  const field = new Field('seg', new Int32(), true);
  const schema = new Schema([...table.schema.fields, field], table.schema.metadata);
  const batches = table.batches.map((b) => {
    const n = b.numRows;
    const segData = seg === null
      ? makeData({ type: new Int32(), length: n, nullCount: n, nullBitmap: new Uint8Array((n + 7) >> 3) })
      : makeData({ type: new Int32(), length: n, nullCount: 0, data: new Int32Array(n).fill(seg) });
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: [...b.data.children, segData] }));
  });
  return tableToIPC(new Table(schema, batches), 'stream');
}
