import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Bool, Field, Int32, Int64, List, RecordBatch, Schema, Struct, Table, TimeUnit, Timestamp, Utf8,
  makeData, tableFromIPC, tableToIPC, vectorFromArray, type DataType,
} from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { nativeQuery } from './helpers/native-duckdb';
import { generatedToots } from './helpers/generated-toots';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { parquetCodec } from '../../src/store/parquet-codec';
import type { ParquetModule } from '../../src/store/parquet-export';
import { concatParquet } from '../../src/store/parquet-concat';
import { parquetFooter, parquetRowCount } from '../../src/store/parquet-footer';
import { decodeThriftStruct, encodeThriftStruct, type ThriftList, type ThriftStruct } from '../../src/store/thrift-compact';

const PQ = pq as unknown as ParquetModule;
const dir = mkdtempSync(path.join(tmpdir(), 'tootscope-concat-'));

interface Row { id: bigint; n: number | null; flag: boolean | null; text: string | null; ts: bigint | null; tags: string[] | null }

const TYPES: Record<keyof Row, DataType> = {
  id: new Int64(), n: new Int32(), flag: new Bool(), text: new Utf8(),
  ts: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), tags: new List(new Field('item', new Utf8(), true)),
};
const SCHEMA = new Schema(Object.entries(TYPES).map(([name, type]) => new Field(name, type, name !== 'id')));

/** Deterministic rows with the app's column kinds: big ids, nulls, long and non-ASCII text, µs instants, empty lists. */
function makeRows(n: number, seed: number): Row[] {
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

function arrowTable(rows: Row[]): Table {
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

/** zstd Parquet the way the app writes it (parquet-codec.ts), optionally with small row groups and pages. */
function writeParquet(rows: Row[], small = false): Uint8Array {
  let props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD);
  if (small) props = props.setMaxRowGroupSize(1000).setDataPageSizeLimit(8 * 1024);
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(arrowTable(rows), 'stream')), props.build());
}

function join(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const rowGroups = (file: Uint8Array) => (parquetFooter(file).find((f) => f.id === 4)!.value as ThriftList).items as ThriftStruct[];
const columnChunks = (file: Uint8Array) => rowGroups(file).flatMap((rg) => (rg.find((f) => f.id === 1)!.value as ThriftList).items as ThriftStruct[]);

/** Rows as JSON through parquet-wasm and apache-arrow (bigints as strings, lists as arrays). */
function wasmRows(bytes: Uint8Array): { types: string[]; rows: unknown[] } {
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

const expectedJson = (rows: Row[]) =>
  rows.map((r) => ({ id: String(r.id), n: r.n, flag: r.flag, text: r.text, ts: r.ts === null ? null : String(r.ts), tags: r.tags }));

const duckRows = (file: string) =>
  nativeQuery(`SELECT id, n, flag, text, epoch_us(ts)::VARCHAR AS ts, tags FROM read_parquet('${file}')`);
const duckTypes = (file: string) =>
  nativeQuery<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${file}')`);

describe('concatParquet', () => {
  const rowsA = makeRows(7, 1), rowsB = makeRows(2500, 2), rowsC = makeRows(300, 3);
  let a: Uint8Array, b: Uint8Array, c: Uint8Array, empty: Uint8Array, out: Uint8Array, outFile: string;

  beforeAll(() => {
    a = writeParquet(rowsA);
    b = writeParquet(rowsB, true);
    c = writeParquet(rowsC);
    empty = writeParquet([]);
    out = join(concatParquet([a, empty, b, c]));
    outFile = save('out.parquet', out);
  });

  it('decodes and re-encodes an unchanged footer to the same bytes', () => {
    for (const file of [a, b, c, empty, out]) {
      const len = new DataView(file.buffer, file.byteOffset).getUint32(file.length - 8, true);
      const footer = file.subarray(file.length - 8 - len, file.length - 8);
      expect(encodeThriftStruct(decodeThriftStruct(footer))).toEqual(footer);
    }
  });

  it('copies the row groups, several from the large input, and drops the page indexes parquet-wasm writes', () => {
    expect(rowGroups(b)).toHaveLength(3);
    expect(rowGroups(empty)).toHaveLength(0);
    expect(rowGroups(out)).toHaveLength(5);
    expect(rowGroups(out).map((rg) => rg.find((f) => f.id === 7)?.value)).toEqual([0, 1, 2, 3, 4]);
    // arrow-rs writes ColumnIndex/OffsetIndex by default, and no bloom filters.
    expect(columnChunks(b).every((cc) => cc.some((f) => f.id === 4) && cc.some((f) => f.id === 6))).toBe(true);
    expect(columnChunks(b).some((cc) => (cc.find((f) => f.id === 3)!.value as ThriftStruct).some((f) => f.id === 14))).toBe(false);
    expect(columnChunks(out).some((cc) => cc.some((f) => [4, 5, 6, 7].includes(f.id)))).toBe(false);
    // Magic, then the three non-empty inputs' spans verbatim, then the footer.
    const parts = concatParquet([a, empty, b, c]);
    expect(parts).toHaveLength(5);
    expect(parts[2]!.buffer).toBe(b.buffer);
    expect(out.length).toBeLessThan(a.length + b.length + c.length);
  });

  it('counts the rows from the footer', () => {
    expect([a, b, c, empty].map(parquetRowCount)).toEqual([7, 2500, 300, 0]);
    expect(parquetRowCount(out)).toBe(2807);
  });

  it('reads back with parquet-wasm: every row in order, same column types', () => {
    const got = wasmRows(out);
    expect(got.types).toEqual(wasmRows(a).types);
    expect(got.types).toEqual([
      'id: Int64', 'n: Int32?', 'flag: Bool?', 'text: Utf8?', 'ts: Timestamp<MICROSECOND, UTC>?', 'tags: List<Utf8>?',
    ]);
    expect(got.rows).toEqual(expectedJson([...rowsA, ...rowsB, ...rowsC]));
  });

  it('reads back with native DuckDB: every row in order, same column types, same checksum', async () => {
    const files = [a, b, c].map((bytes, i) => save(`in${i}.parquet`, bytes));
    expect(await duckTypes(outFile)).toEqual(await duckTypes(files[0]!));
    expect((await duckTypes(outFile)).map((t) => t.column_type)).toEqual(['BIGINT', 'INTEGER', 'BOOLEAN', 'VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'VARCHAR[]']);
    const expected = expectedJson([...rowsA, ...rowsB, ...rowsC]);
    expect(await duckRows(outFile)).toEqual(expected);
    const parts = await Promise.all(files.map(duckRows));
    expect(parts.flat()).toEqual(expected);
    const sum = `SELECT count(*) AS n, sum(hash(ordinality, id, n, flag, text, ts, tags))::VARCHAR AS h FROM (SELECT row_number() OVER () AS ordinality, * FROM read_parquet(?))`;
    const [whole] = await nativeQuery(sum.replace('?', `'${outFile}'`));
    const [separate] = await nativeQuery(sum.replace('?', `[${files.map((f) => `'${f}'`).join(', ')}]`));
    expect(whole).toEqual(separate);
    const meta = await nativeQuery<{ n: string }>(`SELECT count(DISTINCT row_group_id)::VARCHAR AS n FROM parquet_metadata('${outFile}')`);
    expect(meta[0]!.n).toBe('5');
  });

  it("concatenates the app's own segments (tootsToIPC + parquetCodec) into what DuckDB reads as all of them", async () => {
    const codec = parquetCodec(PQ);
    const toots = generatedToots(3000);
    const segments = await Promise.all([0, 1200, 1300].map((from, i) => codec.write(tootsToIPC(toots.slice(from, [1200, 1300, 3000][i])))));
    const file = save('toots.parquet', join(concatParquet(segments)));
    const separate = await Promise.all(segments.map((s, i) => nativeQuery(`SELECT * FROM read_parquet('${save(`seg${i}.parquet`, s)}')`)));
    const whole = await nativeQuery(`SELECT * FROM read_parquet('${file}')`);
    expect(whole).toHaveLength(3000);
    expect(whole).toEqual(separate.flat());
    expect(parquetRowCount(join(concatParquet(segments)))).toBe(3000);
  });

  it('gives an equivalent file for a single input', async () => {
    const one = join(concatParquet([b]));
    expect(parquetRowCount(one)).toBe(2500);
    expect(wasmRows(one)).toEqual(wasmRows(b));
    expect(await duckRows(save('one.parquet', one))).toEqual(expectedJson(rowsB));
  });

  it('handles inputs with zero rows, also on their own', async () => {
    const none = join(concatParquet([empty, empty]));
    expect(parquetRowCount(none)).toBe(0);
    expect(wasmRows(none)).toEqual({ types: wasmRows(a).types, rows: [] });
    const file = save('none.parquet', none);
    expect(await duckRows(file)).toEqual([]);
    expect(await duckTypes(file)).toEqual(await duckTypes(outFile));
    expect(wasmRows(join(concatParquet([a, empty]))).rows).toEqual(expectedJson(rowsA));
  });

  it('refuses inputs with another schema, no inputs, and what is not Parquet', () => {
    const other = pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(new Table({ id: vectorFromArray([1, 2], new Int32()) }), 'stream')));
    expect(() => concatParquet([a, other])).toThrow(/file 2 has a different schema/);
    expect(() => concatParquet([])).toThrow(/at least one/);
    expect(() => concatParquet([a, new TextEncoder().encode('PAR1 not really PAR1')])).toThrow(/footer/);
    expect(() => concatParquet([a.subarray(0, 100)])).toThrow(/Not a Parquet file/);
  });
});
