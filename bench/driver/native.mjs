/** Native DuckDB (@duckdb/node-api) on the Parquet the browser exported, running the same SQL text. */
import { DuckDBInstance } from '@duckdb/node-api';
import { median, r1, r2, waitForIdle } from './util.mjs';

export async function nativeRun(parquetFiles, sql, queryRuns, idleWaitS) {
  const idle = await waitForIdle(idleWaitS);
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run("SET TimeZone = 'UTC'");
  for (const s of sql.create) await c.run(s);
  await c.run(sql.language);
  const t0 = performance.now();
  // The file's timestamps are UTC-adjusted (TIMESTAMPTZ); the table's are plain TIMESTAMP in UTC,
  // as in the browser. `toots` is a view over `toot_store` (which adds the segment id and keeps long texts apart), as there.
  const list = parquetFiles.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
  await c.run(`INSERT INTO toot_store SELECT ${sql.storedColumns} FROM read_parquet([${list}]) t`);
  const loadMs = performance.now() - t0;
  const memRow = (await c.runAndReadAll('PRAGMA database_size')).getRowObjectsJS()[0];
  // Where the Parquet bytes go, per column: what a smaller footprint at rest would have to shrink.
  const rows = Number((await c.runAndReadAll('SELECT count(*) AS n FROM toots')).getRowObjectsJS()[0].n);
  const parquetColumns = (await c.runAndReadAll(
    `SELECT path_in_schema AS col, sum(total_compressed_size)::DOUBLE AS bytes FROM parquet_metadata([${list}]) GROUP BY 1 ORDER BY 2 DESC`,
  )).getRowObjectsJS().map((r) => ({ col: r.col, bytesPerToot: r1(r.bytes / rows) }));
  const out = { machineLoad: idle, loadMs: r1(loadMs), memoryUsage: String(memRow?.memory_usage ?? ''), parquetColumns, threads: {} };
  for (const threads of [1, 2]) {
    await c.run(`SET threads = ${threads}`);
    const res = {};
    for (const [name, q] of Object.entries(sql.queries)) {
      const first = (await c.runAndReadAll(q)).getRowObjectsJS();
      const times = [];
      for (let i = 0; i < queryRuns; i++) {
        const t = performance.now();
        (await c.runAndReadAll(q)).getRowObjectsJS();
        times.push(performance.now() - t);
      }
      res[name] = { ms: r2(median(times)), rows: first.length, result: first.length === 1 ? first[0] : undefined };
    }
    out.threads[threads] = res;
  }
  c.closeSync?.();
  inst.closeSync?.();
  return out;
}

