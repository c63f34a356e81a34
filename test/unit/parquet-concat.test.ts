import { beforeAll, describe, expect, it } from 'vitest';
import { Int32, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { nativeQuery } from './helpers/native-duckdb';
import { generatedToots } from './helpers/generated-toots';
import { columnChunks, duckRows, duckTypes, expectedJson, join, makeRows, rowGroups, save, wasmRows, writeParquet } from './helpers/parquet-rows';
import { zstd } from './helpers/zstd';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { parquetCodec } from '../../src/store/archive/parquet-codec';
import type { ParquetModule } from '../../src/store/parquet/parquet-wasm';
import { concatParquet } from '../../src/store/parquet/concat';
import { parquetRowCount } from '../../src/store/parquet/footer';
import { decodeThriftStruct, encodeThriftStruct, type ThriftStruct } from '../../src/store/parquet/thrift-compact';

const PQ = pq as unknown as ParquetModule;

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
    const codec = parquetCodec(PQ, zstd);
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

  it('adds key/value metadata of its own, keeps the inputs’ (ARROW:schema), and replaces a key given again', async () => {
    const value = JSON.stringify([{ base_url: 'https://a.example', software: 'mastodon', version: '4.5.2' }]);
    const file = save('kv.parquet', join(concatParquet([a, b], { 'tootscope.instances': value, 'ARROW:schema': 'replaced' })));
    const kv = await nativeQuery<{ key: string; value: string }>(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${file}') ORDER BY key`);
    expect(kv.map((r) => r.key)).toEqual(['ARROW:schema', 'tootscope.instances']);
    expect(kv[0]!.value).toBe('replaced');
    expect(kv[1]!.value).toBe(value);
    const plain = save('kv-plain.parquet', join(concatParquet([a, b], { 'tootscope.instances': value })));
    const [arrow] = await nativeQuery<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM parquet_kv_metadata('${plain}') WHERE decode(key) = 'ARROW:schema' AND octet_length(value) > 100`);
    expect(arrow!.n).toBe(1);
    // The rows are untouched.
    expect(await duckRows(plain)).toEqual(await duckRows(save('kv-none.parquet', join(concatParquet([a, b])))));
  });

  it('refuses inputs with another schema, no inputs, and what is not Parquet', () => {
    const other = pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(new Table({ id: vectorFromArray([1, 2], new Int32()) }), 'stream')));
    expect(() => concatParquet([a, other])).toThrow(/file 2 has a different schema/);
    expect(() => concatParquet([])).toThrow(/at least one/);
    expect(() => concatParquet([a, new TextEncoder().encode('PAR1 not really PAR1')])).toThrow(/footer/);
    expect(() => concatParquet([a.subarray(0, 100)])).toThrow(/Not a Parquet file/);
  });
});
