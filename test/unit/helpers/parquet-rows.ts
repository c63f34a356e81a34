import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import {
  Bool, Field, Int32, Int64, List, RecordBatch, Schema, Struct, Table, TimeUnit, Timestamp, Utf8,
  makeData, tableFromIPC, tableToIPC, vectorFromArray, type DataType,
} from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { nativeQuery } from './native-duckdb';
import { parquetFooter } from '../../../src/store/parquet/footer';
import type { ThriftList, ThriftStruct } from '../../../src/store/parquet/thrift-compact';

/** Parquet files of every column kind the app writes, and how to read them back (parquet-wasm, native DuckDB). */

const dir = mkdtempSync(path.join(tmpdir(), 'tootscope-parquet-'));

export interface Row { id: bigint; n: number | null; flag: boolean | null; text: string | null; ts: bigint | null; tags: string[] | null }

const TYPES: Record<keyof Row, DataType> = {
  id: new Int64(), n: new Int32(), flag: new Bool(), text: new Utf8(),
  ts: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), tags: new List(new Field('item', new Utf8(), true)),
};
const SCHEMA = new Schema(Object.entries(TYPES).map(([name, type]) => new Field(name, type, name !== 'id')));

/** Deterministic rows with the app's column kinds: big ids, nulls, long and non-ASCII text, µs instants, empty lists. */
export function makeRows(n: number, seed: number): Row[] {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  const words = ['fediverse', 'Tröt', '日本語のテキスト', '🐘 mastodon', 'ünïcödé', '', 'a'];
  return [...Array(n)].map((_, i): Row => ({
    id: 113_000_000_000_000_000n + BigInt(seed) * 1_000_000n + BigInt(i),
    n: i % 11 === 3 ? null : Math.floor((rnd() - 0.5) * 2 ** 31),
    flag: i % 13 === 5 ? null : rnd() < 0.5,
    text: i % 17 === 2 ? null : i % 50 === 7 ? words[i % words.length]!.repeat(800) + ` #${i}` : `${words[i % words.length]} ${i} ${rnd().toString(36)}`,
    ts: i % 9 === 4 ? null : 1_763_600_000_000_000n + BigInt(Math.floor(rnd() * 1e12)),
    tags: i % 7 === 1 ? null : i % 5 === 0 ? [] : [...Array(1 + (i % 4))].map((_, j) => words[(i + j) % words.length]!),
  }));
}

export function arrowTable(rows: Row[]): Table {
  const ts = new BigInt64Array(rows.length);
  const valid = new Uint8Array((rows.length + 7) >> 3);
  rows.forEach((r, i) => {
    if (r.ts !== null) {
      ts[i] = r.ts;
      valid[i >> 3]! |= 1 << (i & 7);
    }
  });
  const nulls = rows.filter((r) => r.ts === null).length;
  const children = SCHEMA.fields.map((f) => {
    const name = f.name as keyof Row;
    if (name === 'ts') return makeData({ type: TYPES.ts as Timestamp, length: rows.length, nullCount: nulls, nullBitmap: valid, data: ts });
    const data = vectorFromArray(rows.map((r) => r[name]), TYPES[name]).data;
    expect(data).toHaveLength(1);
    return data[0]!;
  });
  return new Table(SCHEMA, [new RecordBatch(SCHEMA, makeData({ type: new Struct(SCHEMA.fields), length: rows.length, nullCount: 0, children }))]);
}

/** Parquet written by parquet-wasm (zstd level 1 unless told), optionally with small row groups and pages, or V2 pages. */
export function writeParquet(rows: Row[], small = false, options: { compression?: pq.Compression; v2?: boolean } = {}): Uint8Array {
  let props = new pq.WriterPropertiesBuilder().setCompression(options.compression ?? pq.Compression.ZSTD);
  if (small) props = props.setMaxRowGroupSize(1000).setDataPageSizeLimit(8 * 1024);
  if (options.v2) props = props.setWriterVersion(pq.WriterVersion.V2);
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(arrowTable(rows), 'stream')), props.build());
}

export function join(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

export const rowGroups = (file: Uint8Array) => (parquetFooter(file).find((f) => f.id === 4)!.value as ThriftList).items as ThriftStruct[];
export const columnChunks = (file: Uint8Array) => rowGroups(file).flatMap((rg) => (rg.find((f) => f.id === 1)!.value as ThriftList).items as ThriftStruct[]);

/** Rows as JSON through parquet-wasm and apache-arrow (bigints as strings, lists as arrays). */
export function wasmRows(bytes: Uint8Array): { types: string[]; rows: unknown[] } {
  const table = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  const types = table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`);
  const ts = table.getChild('ts')!;
  // The raw µs of the timestamp column, since get() on it gives milliseconds.
  const micros = ts.data.flatMap((d) => [...(d.values as BigInt64Array)].map((v, i) => (d.getValid(i) ? String(v) : null)));
  const json = (v: unknown): unknown =>
    typeof v === 'bigint' ? String(v) : v && typeof v === 'object' && 'toArray' in v ? [...(v as unknown as Iterable<unknown>)].map(json) : v;
  const rows = [...Array(table.numRows)].map((_, i) =>
    Object.fromEntries(table.schema.fields.map((f) => [f.name, f.name === 'ts' ? micros[i] : json(table.getChild(f.name)!.get(i))])),
  );
  return { types, rows };
}

export const expectedJson = (rows: Row[]) =>
  rows.map((r) => ({ id: String(r.id), n: r.n, flag: r.flag, text: r.text, ts: r.ts === null ? null : String(r.ts), tags: r.tags }));

export const duckRows = (file: string) =>
  nativeQuery(`SELECT id, n, flag, text, epoch_us(ts)::VARCHAR AS ts, tags FROM read_parquet('${file}')`);
export const duckTypes = (file: string) =>
  nativeQuery<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
