import { describe, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { openNodeDuckDb } from '../test/unit/helpers/node-duckdb';
import { generatedToots, loadToots } from '../test/unit/helpers/generated-toots';
import { exportHiveZip } from '../src/store/export/hive-export';
import { parquetCodec } from '../src/store/archive/parquet-codec';
import { zstd } from '../test/unit/helpers/zstd';
import type { ParquetModule } from '../src/store/parquet/parquet-wasm';

const PQ = parquetCodec(pq as unknown as ParquetModule, zstd);

/**
 * npm run bench:hive — one ordered query split in JS vs one query per partition, on the Node
 * build of DuckDB-WASM. A measurement, not a test: it is outside `npm test`.
 */
describe('Hive export: split vs per-partition (measurement)', () => {
  it.each([20_000, 100_000])('%i toots', async (n) => {
    const db = await openNodeDuckDb();
    await loadToots(db, generatedToots(n));
    const out: string[] = [];
    for (const strategy of ['split', 'per-partition', 'split', 'per-partition'] as const) {
      const t0 = performance.now();
      const r = await exportHiveZip(db, PQ, { strategy });
      const ms = performance.now() - t0;
      out.push(`${strategy}: ${r.partitions.length} partitions, ${r.files.length} files, ${(r.zip.byteLength / 1e6).toFixed(2)} MB, ${ms.toFixed(0)} ms (query ${r.timings.queryMs.toFixed(0)}, parquet ${r.timings.parquetMs.toFixed(0)}, zip ${r.timings.zipMs.toFixed(0)})`);
    }
    console.log(`${n} toots\n  ${out.join('\n  ')}`);
    await db.close();
  }, 600_000);
});
