import { Data, Field, Int32, List, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableFromIPC, tableToIPC } from 'apache-arrow';
import { DERIVED_IN_FILE, LONG_TEXT_BYTES, LONG_TEXT_PART } from '../../core/sql/schema';
import type { ParquetModule } from '../parquet/parquet-wasm';
import { recompressParquet } from '../parquet/recompress';
import { fromSegmentForm, sourceOf, toSegmentForm, type KeepNull } from './segment-form';
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
    async write(ipc, rebuild = []) {
      return write(rebuild.length ? tableToIPC(fromSegmentForm(tableFromIPC(ipc), rebuild), 'stream') : ipc);
    },
    async writeSegment(ipc, rebuild) {
      const { table, derived } = toSegmentForm(fromSegmentForm(tableFromIPC(ipc), rebuild));
      return { bytes: write(tableToIPC(table, 'stream')), derived };
    },
    async writeColumns(ipc, rebuild = []) {
      if (!rebuild.length) return write(ipc, 1);
      const sources = rebuild.map(sourceOf);
      const table = fromSegmentForm(tableFromIPC(ipc), rebuild);
      return write(tableToIPC(table.select(table.schema.fields.map((f) => f.name).filter((n) => !sources.includes(n))), 'stream'), 1);
    },
    async read(parquet) {
      return pq.readParquet(parquet).intoIPCStream();
    },
    async readStored(parquet, seg, cuts = [], derived = []) {
      return asStoredRows(fromSegmentForm(tableFromIPC(pq.readParquet(parquet).intoIPCStream()), derived, fileDerives), seg, cuts);
    },
  };
}

/**
 * Where DuckDB's file rebuilds a column itself (core/sql/schema.ts DERIVED_IN_FILE), a segment's
 * null stays null: the two rebuild it alike (test/unit/derived-columns.test.ts). `created_at_str`
 * only for four-digit years: outside them JavaScript's text and DuckDB's `strftime` differ
 * ('999 …' against '0999 …'), so the value is written out.
 */
const fileDerives: KeepNull = (column, rebuilt, i) => {
  if (!(column in DERIVED_IN_FILE)) return false;
  if (column !== 'created_at_str') return true;
  const at = (rebuilt as Data<Utf8>).valueOffsets[i]!;
  const b = rebuilt.values as Uint8Array;
  const digit = (k: number) => b[at + k]! >= 0x30 && b[at + k]! <= 0x39;
  return (rebuilt as Data<Utf8>).valueOffsets[i + 1]! - at === 19 && digit(0) && digit(1) && digit(2) && digit(3) && b[at + 4] === 0x20;
};

/**
 * The rows as `toot_store` holds them, so a reload appends a segment straight into it instead of
 * loading it into a table and copying it over, which cost DuckDB as much again: a constant `seg`
 * column, the columns DuckDB's file derives left null (`fileDerives`), and texts of LONG_TEXT_BYTES
 * or more moved from `mastodon_text` to `long_text` in parts (see core/sql/schema.ts for why).
 * Runs in the Parquet worker, beside DuckDB's. The buffers are reused.
 * One IPC stream per piece, cut before each row offset in `cuts`.
 */
function asStoredRows(decoded: Table, seg: number | null, cuts: readonly number[]): Uint8Array[] {
  const textAt = decoded.schema.fields.findIndex((f) => f.name === 'mastodon_text');
  if (textAt < 0 || !(decoded.schema.fields[textAt]!.type instanceof Utf8)) throw new Error('a stored segment without a mastodon_text string column');
  const fields = [...decoded.schema.fields, new Field('seg', new Int32(), true), new Field('long_text', TEXT_PARTS, true)];
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

const TEXT_PARTS = new List(new Field('item', new Utf8(), true));

/**
 * One Utf8 column as two: values shorter than LONG_TEXT_BYTES and '', or an empty list and the
 * long ones in parts of LONG_TEXT_PART characters, cut where the SQL of core/sql/schema.ts cuts.
 */
function splitLongTexts(text: Data<Utf8>): [Data<Utf8>, Data<List<Utf8>>] {
  const n = text.length;
  const offsets = text.valueOffsets;
  const bytes = text.values;
  // Row i's parts are partEnds[listOffsets[i]…listOffsets[i + 1]), each the end of a byte range of `bytes`.
  const listOffsets = new Int32Array(n + 1);
  const partEnds: number[] = [];
  let longBytes = 0;
  for (let i = 0; i < n; i++) {
    const from = offsets[i]!, to = offsets[i + 1]!;
    if (to - from >= LONG_TEXT_BYTES) {
      longBytes += to - from;
      let chars = 0;
      for (let k = from; k < to; k++) {
        // A character starts at every byte that is not a continuation byte (10xxxxxx).
        if ((bytes[k]! & 0xc0) !== 0x80 && chars++ === LONG_TEXT_PART) {
          partEnds.push(k);
          chars = 1;
        }
      }
      partEnds.push(to);
    }
    listOffsets[i + 1] = partEnds.length;
  }
  const partOffsets = new Int32Array(partEnds.length + 1);
  const partBytes = new Uint8Array(longBytes);
  const shortOffsets = new Int32Array(n + 1);
  const shortValues = new Uint8Array(offsets[n]! - offsets[0]! - longBytes);
  let at = 0, longAt = 0;
  for (let i = 0; i < n; i++) {
    const from = offsets[i]!, to = offsets[i + 1]!;
    if (to - from >= LONG_TEXT_BYTES) {
      partBytes.set(bytes.subarray(from, to), longAt);
      for (let p = listOffsets[i]!; p < listOffsets[i + 1]!; p++) partOffsets[p + 1] = longAt + partEnds[p]! - from;
      longAt += to - from;
    } else {
      shortValues.set(bytes.subarray(from, to), at);
      at += to - from;
    }
    shortOffsets[i + 1] = at;
  }
  const parts = makeData({ type: new Utf8(), length: partEnds.length, nullCount: 0, valueOffsets: partOffsets, data: partBytes });
  // '' and [] for a null text too: the column is never null (SCHEMA.md), and DuckDB read a NULL
  // after an overflow string as that string again (duckdb/duckdb#24897).
  return [
    makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: shortOffsets, data: shortValues }),
    makeData({ type: TEXT_PARTS, length: n, nullCount: 0, valueOffsets: listOffsets, child: parts }),
  ];
}
