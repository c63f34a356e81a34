/**
 * Concatenating Parquet files that share one schema into one file, without decoding any data.
 *
 * The app keeps its posts in IndexedDB as zstd Parquet segments (parquet-wasm, i.e. arrow-rs).
 * Exporting 1.6 M posts as one file by decoding and re-encoding them takes long and runs out of
 * wasm memory, yet the segments already hold finished row groups. So each input's row-group bytes
 * are copied verbatim and only a new footer is written: the inputs' row groups, one after the
 * other, with their absolute file offsets shifted to where the bytes now sit.
 *
 * The footer is Thrift compact protocol (FileMetaData in apache/parquet-format parquet.thrift).
 * It is read into a generic tree that keeps every field, known or not, and written back from it,
 * so fields this module knows nothing about (new statistics, geospatial…) survive untouched.
 */

// Compact protocol type codes.
const BOOL_TRUE = 1, BOOL_FALSE = 2, I8 = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7, BINARY = 8;
const LIST = 9, SET = 10, MAP = 11, STRUCT = 12, UUID = 13;

/** A struct is its fields in the order they were read; `type` is the field's compact type code. */
export type ThriftStruct = ThriftField[];
export interface ThriftField { id: number; type: number; value: ThriftValue }
export interface ThriftList { elemType: number; items: ThriftValue[] }
export interface ThriftMap { keyType: number; valueType: number; entries: [ThriftValue, ThriftValue][] }
/**
 * i8/i16/i32 are numbers, i64 bigints, binary/double/uuid raw bytes (doubles kept as their 8 bytes
 * so that any NaN payload survives), a bool field a boolean, a bool inside a list its raw byte.
 */
export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftStruct | ThriftList | ThriftMap;

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('Parquet footer is truncated');
    return this.buf[this.pos++]!;
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error('Parquet footer is truncated');
    return this.buf.subarray(this.pos, (this.pos += n));
  }
  varint(): bigint {
    let result = 0n, shift = 0n, b: number;
    do {
      b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    return result;
  }
  size(): number {
    return Number(this.varint());
  }
  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }
  value(type: number): ThriftValue {
    switch (type) {
      case BOOL_TRUE: case BOOL_FALSE: return this.byte(); // only reached inside lists, sets and maps
      case I8: return (this.byte() << 24) >> 24;
      case I16: case I32: return Number(this.zigzag());
      case I64: return this.zigzag();
      case DOUBLE: return this.bytes(8);
      case UUID: return this.bytes(16);
      case BINARY: return this.bytes(this.size());
      case LIST: case SET: {
        const head = this.byte();
        const n = head >> 4 === 15 ? this.size() : head >> 4;
        const elemType = head & 15;
        const items: ThriftValue[] = [];
        for (let i = 0; i < n; i++) items.push(this.value(elemType));
        return { elemType, items };
      }
      case MAP: {
        const n = this.size();
        const kv = n ? this.byte() : 0;
        const map: ThriftMap = { keyType: kv >> 4, valueType: kv & 15, entries: [] };
        for (let i = 0; i < n; i++) map.entries.push([this.value(map.keyType), this.value(map.valueType)]);
        return map;
      }
      case STRUCT: return this.struct();
      default: throw new Error(`Parquet footer has unknown Thrift type ${type}`);
    }
  }
  struct(): ThriftStruct {
    const fields: ThriftStruct = [];
    let last = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return fields;
      const type = head & 15;
      const id = head >> 4 ? last + (head >> 4) : Number(this.zigzag());
      const value = type === BOOL_TRUE || type === BOOL_FALSE ? type === BOOL_TRUE : this.value(type);
      fields.push({ id, type, value });
      last = id;
    }
  }
}

class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b & 0xff;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  varint(n: bigint): void {
    while (n > 0x7fn) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }
  zigzag(n: bigint): void {
    this.varint(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
  }
  value(type: number, v: ThriftValue): void {
    switch (type) {
      case BOOL_TRUE: case BOOL_FALSE: case I8: return this.byte(v as number);
      case I16: case I32: return this.zigzag(BigInt(v as number));
      case I64: return this.zigzag(v as bigint);
      case DOUBLE: case UUID: return this.bytes(v as Uint8Array);
      case BINARY: {
        const b = v as Uint8Array;
        this.varint(BigInt(b.length));
        return this.bytes(b);
      }
      case LIST: case SET: {
        const { elemType, items } = v as ThriftList;
        if (items.length < 15) this.byte((items.length << 4) | elemType);
        else {
          this.byte(0xf0 | elemType);
          this.varint(BigInt(items.length));
        }
        for (const item of items) this.value(elemType, item);
        return;
      }
      case MAP: {
        const { keyType, valueType, entries } = v as ThriftMap;
        this.varint(BigInt(entries.length));
        if (entries.length) this.byte((keyType << 4) | valueType);
        for (const [k, val] of entries) {
          this.value(keyType, k);
          this.value(valueType, val);
        }
        return;
      }
      case STRUCT: return this.struct(v as ThriftStruct);
      default: throw new Error(`Cannot write Thrift type ${type}`);
    }
  }
  struct(fields: ThriftStruct): void {
    let last = 0;
    for (const f of fields) {
      const type = f.type === BOOL_TRUE || f.type === BOOL_FALSE ? (f.value ? BOOL_TRUE : BOOL_FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(f.id));
      }
      if (type !== BOOL_TRUE && type !== BOOL_FALSE) this.value(type, f.value);
      last = f.id;
    }
    this.byte(0);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function decodeThriftStruct(bytes: Uint8Array): ThriftStruct {
  return new Reader(bytes).struct();
}

export function encodeThriftStruct(fields: ThriftStruct): Uint8Array {
  const w = new Writer();
  w.struct(fields);
  return w.result();
}

const field = (s: ThriftStruct, id: number) => s.find((f) => f.id === id);
const i64 = (s: ThriftStruct, id: number) => field(s, id)?.value as bigint | undefined;
const without = (s: ThriftStruct, ids: number[]) => s.filter((f) => !ids.includes(f.id));

// Field ids from parquet.thrift.
const FMD = { schema: 2, numRows: 3, rowGroups: 4 };
const RG = { columns: 1, numRows: 3, fileOffset: 5, ordinal: 7 };
const CC = { fileOffset: 2, metaData: 3, offsetIndexOffset: 4, offsetIndexLength: 5, columnIndexOffset: 6, columnIndexLength: 7, encryptedMetaData: 9 };
const CMD = { totalCompressedSize: 7, dataPageOffset: 9, indexPageOffset: 10, dictionaryPageOffset: 11, bloomFilterOffset: 14, bloomFilterLength: 15 };

const MAGIC = new TextEncoder().encode('PAR1');

/** The decoded FileMetaData of a Parquet file, after checking the magic on both ends. */
export function parquetFooter(file: Uint8Array): ThriftStruct {
  const tail = file.subarray(file.length - 4);
  if (file.length < 12 || !sameBytes(file.subarray(0, 4), MAGIC) || !sameBytes(tail, MAGIC)) {
    throw new Error(new TextDecoder().decode(tail) === 'PARE' ? 'Encrypted Parquet cannot be concatenated' : 'Not a Parquet file');
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getUint32(file.length - 8, true);
  if (length > file.length - 12) throw new Error('Parquet footer length is out of range');
  return decodeThriftStruct(file.subarray(file.length - 8 - length, file.length - 8));
}

export function parquetRowCount(file: Uint8Array): number {
  return Number(i64(parquetFooter(file), FMD.numRows) ?? 0n);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The row groups of a footer, with the byte span [start, end) that all their column chunks cover. */
function rowGroupsAndSpan(footer: ThriftStruct, fileLength: number) {
  const rowGroups = ((field(footer, FMD.rowGroups)?.value as ThriftList | undefined)?.items ?? []) as ThriftStruct[];
  let start = Infinity, end = -Infinity;
  for (const rg of rowGroups) {
    for (const cc of (field(rg, RG.columns)!.value as ThriftList).items as ThriftStruct[]) {
      const meta = field(cc, CC.metaData)?.value as ThriftStruct | undefined;
      if (!meta || field(cc, CC.encryptedMetaData)) throw new Error('Parquet column chunk without plain metadata cannot be concatenated');
      // A chunk starts at its dictionary page when it has one, else at its first data page;
      // 0 for an optional offset means "absent" for some writers, it is never a page (the magic is there).
      const firsts = [CMD.dataPageOffset, CMD.indexPageOffset, CMD.dictionaryPageOffset].map((id) => Number(i64(meta, id) ?? 0n)).filter((o) => o > 0);
      const first = Math.min(...firsts);
      start = Math.min(start, first);
      end = Math.max(end, first + Number(i64(meta, CMD.totalCompressedSize)));
    }
  }
  if (rowGroups.length && !(start >= 4 && end <= fileLength - 8 && start < end)) throw new Error('Parquet row groups lie outside the file');
  return { rowGroups, start, end };
}

/** A copy of a row group whose absolute offsets are moved by `delta` bytes, as row group number `ordinal`. */
function shiftRowGroup(rg: ThriftStruct, delta: bigint, ordinal: number): ThriftStruct {
  const shift = (f: ThriftField): ThriftField => ((f.value as bigint) > 0n ? { ...f, value: (f.value as bigint) + delta } : f);
  const columns = ((field(rg, RG.columns)!.value as ThriftList).items as ThriftStruct[]).map((cc) =>
    // Page indexes (ColumnIndex/OffsetIndex) and bloom filters lie outside the row groups' span,
    // between the last row group and the footer, so they are not copied: their offsets are dropped
    // rather than relocated. Readers then simply do without them; the data and the per-chunk
    // statistics stay whole.
    without(cc, [CC.offsetIndexOffset, CC.offsetIndexLength, CC.columnIndexOffset, CC.columnIndexLength]).map((f) => {
      if (f.id === CC.fileOffset) return shift(f);
      if (f.id !== CC.metaData) return f;
      const meta = without(f.value as ThriftStruct, [CMD.bloomFilterOffset, CMD.bloomFilterLength]);
      const moved = [CMD.dataPageOffset, CMD.indexPageOffset, CMD.dictionaryPageOffset];
      return { ...f, value: meta.map((m) => (moved.includes(m.id) ? shift(m) : m)) };
    }),
  );
  return rg.flatMap((f): ThriftField[] => {
    if (f.id === RG.columns) return [{ ...f, value: { elemType: STRUCT, items: columns } }];
    if (f.id === RG.fileOffset) return [shift(f)];
    // ordinal is an i16: beyond that it cannot be right, and it is optional.
    if (f.id === RG.ordinal) return ordinal <= 0x7fff ? [{ ...f, value: ordinal }] : [];
    return [f];
  });
}

/**
 * One Parquet file holding the rows of `files` in order, as parts to hand to `new Blob(parts)`:
 * the magic, a subarray of each input (no copy), and the new footer with its length and magic.
 * Schema, key/value metadata (ARROW:schema), created_by and column orders come from the first file.
 */
export function concatParquet(files: readonly Uint8Array[]): Uint8Array[] {
  if (!files.length) throw new Error('concatParquet needs at least one Parquet file');
  const footers = files.map(parquetFooter);
  const first = footers[0]!;
  const schema = encodeThriftStruct([field(first, FMD.schema)!]);
  const parts: Uint8Array[] = [MAGIC];
  const rowGroups: ThriftStruct[] = [];
  let offset = MAGIC.length, rows = 0n;
  footers.forEach((footer, i) => {
    if (!sameBytes(encodeThriftStruct([field(footer, FMD.schema)!]), schema)) {
      throw new Error(`Parquet file ${i + 1} has a different schema than the first; they cannot be concatenated`);
    }
    const file = files[i]!;
    const { rowGroups: groups, start, end } = rowGroupsAndSpan(footer, file.length);
    if (!groups.length) return;
    const delta = BigInt(offset - start);
    for (const rg of groups) {
      rowGroups.push(shiftRowGroup(rg, delta, rowGroups.length));
      rows += i64(rg, RG.numRows) ?? 0n;
    }
    parts.push(file.subarray(start, end));
    offset += end - start;
  });
  const meta = first.map((f): ThriftField => {
    if (f.id === FMD.numRows) return { ...f, value: rows };
    if (f.id === FMD.rowGroups) return { ...f, value: { elemType: STRUCT, items: rowGroups } };
    return f;
  });
  const footer = encodeThriftStruct(meta);
  const tail = new Uint8Array(footer.length + 8);
  tail.set(footer);
  new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
  tail.set(MAGIC, footer.length + 4);
  parts.push(tail);
  return parts;
}
