/**
 * Thrift compact protocol (what Parquet's footer and page headers are written in), read into a
 * generic tree that keeps every field, known or not, and written back from it: a file rewritten
 * by concat.ts or recompress.ts keeps fields this code knows nothing about (new
 * statistics, geospatial…) untouched.
 */

// Compact protocol type codes.
const BOOL_TRUE = 1, BOOL_FALSE = 2, I8 = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7, BINARY = 8;
const LIST = 9, SET = 10, MAP = 11, UUID = 13;
export const STRUCT = 12;
export { BINARY, LIST };

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

/** The struct that starts at `pos`, and where it ends (a page header: its page's bytes follow). */
export function decodeThriftStructAt(bytes: Uint8Array, pos: number): { struct: ThriftStruct; end: number } {
  const r = new Reader(bytes);
  r.pos = pos;
  const struct = r.struct();
  return { struct, end: r.pos };
}
