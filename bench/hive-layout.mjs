// npm run bench:hive-layout -- <export.parquet>: how many Hive objects the bucket sink and the Hive
// zip write for a collection, partitioned by UTC date × author's server (the old layout) against
// date × the instance collected from (the layout since issue 20's small-objects finding). Each
// 50,000-row segment (the sink uploads segments, src/store/archive) is partitioned on its own, as
// the sink does; rows are cut into segments in the order they were received. Native DuckDB.
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) throw new Error('usage: npm run bench:hive-layout -- <export.parquet>');
const conn = await (await DuckDBInstance.create(':memory:')).connect();
const rows = async (sql) => (await conn.runAndReadAll(sql)).getRowsJson();
const src = `(SELECT *, (row_number() OVER (ORDER BY received_at, uri) - 1) // 50000 AS seg FROM read_parquet('${file.replaceAll("'", "''")}'))`;
const layout = async (key) => {
  const [r] = await rows(`WITH p AS (SELECT seg, created_ts::DATE AS d, ${key} AS k, count(*) AS n FROM ${src} GROUP BY ALL)
    SELECT count(*) AS objects, quantile_disc(n, 0.5) AS median_rows, count(*) FILTER (WHERE n < 100) AS under_100_rows FROM p`);
  return { objects: Number(r[0]), median_rows: Number(r[1]), under_100_rows: Number(r[2]) };
};
const [[n, authors, collected, days, segments]] = await rows(`SELECT count(*), count(DISTINCT from_instance), count(DISTINCT base_url),
  count(DISTINCT created_ts::DATE), max(seg) + 1 FROM ${src}`);
console.log(JSON.stringify({
  file, toots: Number(n), authors_servers: Number(authors), collected_from: Number(collected), days: Number(days), segments: Number(segments),
  by_date_and_author_server: await layout('from_instance'),
  by_date_and_collecting_instance: await layout("split_part(base_url, '/', 3)"),
}, null, 1));
