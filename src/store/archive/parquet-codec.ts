import { Data, Field, Int32, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableFromIPC, tableToIPC } from 'apache-arrow';
import { LONG_TEXT_BYTES } from '../../core/sql/schema';
import type { ParquetModule } from '../parquet/parquet-wasm';
import { recompressParquet } from '../parquet/recompress';
import { fromSegmentForm, toSegmentForm } from './segment-form';
import type { ParquetCodec } from './snapshot';

/** zstd at a level of our choosing: @bokuweb/zstd-wasm's `compress`. */
export type ZstdCompress = (bytes: Uint8Array, level: number) => Uint8Array;

/**
 * The zstd level of stored segments and exports. parquet-wasm writes level 1 only, so the pages
 * are compressed by parquet/recompress.ts. On 200 k bench toots (Node): 158.3 B/toot at level 1,
 * 143.6 at 3, 136.3 at 6; level 3 took 0.9 s, no longer than parquet-wasm's own zstd (1.1 s
 * on top of writing), level 6 2.3 s.
 */
export const SEGMENT_ZSTD_LEVEL = 3;

/**
 * Near-unique columns whose neighbours share long prefixes (uris and urls of one instance, ids
 * that count up): delta encodings instead of a dictionary that never repeats. With level 3,
 * 138.7 B/toot against 143.6 on the same 200 k toots. DuckDB, pyarrow and Spark read both.
 */
const DELTA_STRINGS = ['uri', 'url', 'id'];
const DELTA_INTEGERS = ['m_id'];

function segmentProperties(pq: ParquetModule) {
  let b = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.UNCOMPRESSED);
  for (const c of DELTA_STRINGS) b = b.setColumnDictionaryEnabled(c, false).setColumnEncoding(c, pq.Encoding.DELTA_BYTE_ARRAY);
  for (const c of DELTA_INTEGERS) b = b.setColumnDictionaryEnabled(c, false).setColumnEncoding(c, pq.Encoding.DELTA_BINARY_PACKED);
  return b.build();
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** parquet-wasm as a codec: Arrow IPC stream ⇄ zstd Parquet. Timestamps stay as they are. */
export function parquetCodec(pq: ParquetModule, zstd: ZstdCompress): ParquetCodec {
  const write = (ipc: Uint8Array, level = SEGMENT_ZSTD_LEVEL) => {
    const plain = pq.writeParquet(pq.Table.fromIPCStream(ipc), segmentProperties(pq));
    return joined(recompressParquet(plain, (page) => zstd(page, level)));
  };
  return {
    async write(ipc) {
      return write(ipc);
    },
    async writeSegment(ipc) {
      const { table, derived } = toSegmentForm(tableFromIPC(ipc));
      return { bytes: write(tableToIPC(table, 'stream')), derived };
    },
    async writeColumns(ipc) {
      return write(ipc, 1);
    },
    async read(parquet) {
      return pq.readParquet(parquet).intoIPCStream();
    },
    async readStored(parquet, seg, cuts = [], derived = []) {
      return asStoredRows(fromSegmentForm(tableFromIPC(pq.readParquet(parquet).intoIPCStream()), derived), seg, cuts);
    },
  };
}

/**
 * The rows as `toot_store` holds them, so a reload appends a segment straight into it instead of
 * loading it into a table and copying it over, which cost DuckDB as much again: a constant `seg`
 * column, and texts of LONG_TEXT_BYTES or more moved from `mastodon_text` to `long_text` (see
 * core/sql/schema.ts for why). Runs in the Parquet worker, beside DuckDB's. The buffers are reused.
 * One IPC stream per piece, cut before each row offset in `cuts`.
 */
function asStoredRows(decoded: Table, seg: number | null, cuts: readonly number[]): Uint8Array[] {
  const textAt = decoded.schema.fields.findIndex((f) => f.name === 'mastodon_text');
  if (textAt < 0 || !(decoded.schema.fields[textAt]!.type instanceof Utf8)) throw new Error('a stored segment without a mastodon_text string column');
  const fields = [...decoded.schema.fields, new Field('seg', new Int32(), true), new Field('long_text', new Utf8(), true)];
  const schema = new Schema(fields, decoded.schema.metadata);
  const batches = decoded.batches.map((b) => {
    const n = b.numRows;
    const segData = seg === null
      ? makeData({ type: new Int32(), length: n, nullCount: n, nullBitmap: new Uint8Array((n + 7) >> 3) })
      : makeData({ type: new Int32(), length: n, nullCount: 0, data: new Int32Array(n).fill(seg) });
    const children = [...b.data.children];
    const [short, long] = splitLongTexts(children[textAt] as Data<Utf8>);
    children[textAt] = short;
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: [...children, segData, long] }));
  });
  const table = new Table(schema, batches);
  const ends = [...cuts.filter((c) => c > 0 && c < table.numRows), table.numRows];
  return ends.map((end, i) => tableToIPC(table.slice(i ? ends[i - 1] : 0, end), 'stream'));
}

/** One Utf8 column as two: values shorter than LONG_TEXT_BYTES and '', or '' and the long ones. */
function splitLongTexts(text: Data<Utf8>): [Data<Utf8>, Data<Utf8>] {
  const n = text.length;
  const offsets = text.valueOffsets;
  const bytes = text.values;
  const longOffsets = new Int32Array(n + 1);
  let longBytes = 0;
  for (let i = 0; i < n; i++) {
    const len = offsets[i + 1]! - offsets[i]!;
    if (len >= LONG_TEXT_BYTES) longBytes += len;
    longOffsets[i + 1] = longBytes;
  }
  if (longBytes === 0) return [text, makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: longOffsets, data: new Uint8Array(0) })];
  const longValues = new Uint8Array(longBytes);
  const shortOffsets = new Int32Array(n + 1);
  const shortValues = new Uint8Array(offsets[n]! - offsets[0]! - longBytes);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const from = offsets[i]!, to = offsets[i + 1]!;
    if (to - from >= LONG_TEXT_BYTES) longValues.set(bytes.subarray(from, to), longOffsets[i]!);
    else {
      shortValues.set(bytes.subarray(from, to), at);
      at += to - from;
    }
    shortOffsets[i + 1] = at;
  }
  // '' for a null text too: the column is never null (SCHEMA.md), and DuckDB would read a NULL as the long value before it.
  return [
    makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: shortOffsets, data: shortValues }),
    makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: longOffsets, data: longValues }),
  ];
}
