import { describe, expect, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { nativeQuery } from './helpers/native-duckdb';
import { generatedToots } from './helpers/generated-toots';
import { columnChunks, duckRows, duckTypes, expectedJson, join, makeRows, save, wasmRows, writeParquet } from './helpers/parquet-rows';
import { zstd } from './helpers/zstd';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { parquetCodec, SEGMENT_ZSTD_LEVEL } from '../../src/store/archive/parquet-codec';
import type { ParquetModule } from '../../src/store/parquet/parquet-wasm';
import { recompressParquet } from '../../src/store/parquet/recompress';
import { decodeThriftStructAt, type ThriftStruct } from '../../src/store/parquet/thrift-compact';

const level3 = (page: Uint8Array) => zstd(page, 3);
const chunkMeta = (file: Uint8Array) => columnChunks(file).map((cc) => cc.find((f) => f.id === 3)!.value as ThriftStruct);
/** The PageType of each chunk's first data page (0: V1, 3: V2). */
const dataPageTypes = (file: Uint8Array) =>
  chunkMeta(file).map((m) => decodeThriftStructAt(file, Number(m.find((f) => f.id === 9)!.value)).struct.find((f) => f.id === 1)!.value);

describe('recompressParquet', () => {
  const rows = makeRows(2500, 7);

  for (const v2 of [false, true]) {
    it(`compresses every ${v2 ? 'V2' : 'V1'} page and DuckDB and parquet-wasm read the same rows back`, async () => {
      const plain = writeParquet(rows, true, { compression: pq.Compression.UNCOMPRESSED, v2 });
      const out = join(recompressParquet(plain, level3));
      expect(new Set(dataPageTypes(out))).toEqual(new Set([v2 ? 3 : 0]));
      expect(out.length).toBeLessThan(plain.length / 2);
      // Every chunk now says zstd (6), and its page indexes are gone.
      expect(chunkMeta(plain).map((m) => m.find((f) => f.id === 4)!.value)).toEqual(Array(18).fill(0));
      expect(chunkMeta(out).map((m) => m.find((f) => f.id === 4)!.value)).toEqual(Array(18).fill(6));
      expect(columnChunks(out).some((cc) => cc.some((f) => [4, 5, 6, 7].includes(f.id)))).toBe(false);
      expect(wasmRows(out)).toEqual(wasmRows(plain));
      expect(wasmRows(out).rows).toEqual(expectedJson(rows));
      const file = save(`recompressed-${v2 ? 'v2' : 'v1'}.parquet`, out);
      expect(await duckRows(file)).toEqual(expectedJson(rows));
      expect(await duckTypes(file)).toEqual(await duckTypes(save('plain.parquet', plain)));
      const meta = await nativeQuery<{ c: string; groups: number }>(
        `SELECT string_agg(DISTINCT compression, ',') AS c, count(DISTINCT row_group_id)::INTEGER AS groups FROM parquet_metadata('${file}')`,
      );
      expect(meta).toEqual([{ c: 'ZSTD', groups: 3 }]);
    });
  }

  it('refuses a file whose pages are already compressed', () => {
    expect(() => recompressParquet(writeParquet(rows.slice(0, 10)), level3)).toThrow(/needs an uncompressed/);
  });
});

describe("the app's segment writer", () => {
  it(`writes zstd level ${SEGMENT_ZSTD_LEVEL} with delta-encoded ids, smaller than parquet-wasm's own zstd, same rows`, async () => {
    const toots = generatedToots(4000);
    const ipc = tootsToIPC(toots);
    const ours = await parquetCodec(pq as unknown as ParquetModule, zstd).write(ipc);
    const theirs = pq.writeParquet(pq.Table.fromIPCStream(ipc), new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build());
    expect(ours.length).toBeLessThan(theirs.length * 0.95);
    const [a, b] = [save('segment-ours.parquet', ours), save('segment-theirs.parquet', theirs)];
    const differ = await nativeQuery<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM ((FROM read_parquet('${a}') EXCEPT ALL FROM read_parquet('${b}')) UNION ALL (FROM read_parquet('${b}') EXCEPT ALL FROM read_parquet('${a}')))`,
    );
    expect(differ).toEqual([{ n: 0 }]);
    const encodings = await nativeQuery<{ col: string; e: string }>(
      `SELECT path_in_schema AS col, string_agg(DISTINCT encodings, ',') AS e FROM parquet_metadata('${a}') WHERE path_in_schema IN ('uri', 'm_id', 'acct') GROUP BY 1 ORDER BY 1`,
    );
    expect(encodings.map((r) => [r.col, r.e.includes('DELTA'), r.e.includes('DICTIONARY')])).toEqual([
      ['acct', false, true], ['m_id', true, false], ['uri', true, false],
    ]);
  });
});
