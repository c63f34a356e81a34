/**
 * `node bench/storage-probe/run.mjs [export.parquet]`: why DuckDB's table file is large, and what
 * would shrink it. A bench run at 400 k toots found the app's file at ~940 B a toot against the
 * 400 B budget for everything at rest, `toot_store` the bulk of its used blocks.
 *
 * 1. Native DuckDB (@duckdb/node-api) loads an export of the app (bench/out/toots-N.parquet, which
 *    `npm run bench` writes) into a database file, CHECKPOINTs, and reports bytes per toot and the
 *    biggest columns by blocks: at the default storage version, and at STORAGE_VERSION 'v1.2.0'
 *    with `mastodon_text … USING COMPRESSION zstd`.
 * 2. DuckDB-WASM (the engine the page runs, in Node) does the same with generated text, three
 *    ways: a file opened as the main database, the same after `SET storage_compatibility_version`,
 *    and a file ATTACHed with STORAGE_VERSION.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-storage-'));
const parquet = process.argv[2] ?? 'bench/out/toots-400000.parquet';

async function native() {
  if (!existsSync(parquet)) return console.log(`native: ${parquet} not found (run npm run bench first, or pass an export)`);
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const run = async (q) => (await c.runAndReadAll(q)).getRowObjects();
  const [{ n }] = await run(`SELECT count(*)::INT AS n FROM read_parquet('${parquet}')`);
  const cols = (await run(`DESCRIBE SELECT * FROM read_parquet('${parquet}')`)).map((r) => [r.column_name, r.column_type]);
  for (const [name, opts, zstd] of [['default storage', '', false], ["STORAGE_VERSION 'v1.2.0', text zstd", "(STORAGE_VERSION 'v1.2.0')", true]]) {
    const f = path.join(dir, `native-${zstd ? 'zstd' : 'default'}.duckdb`);
    await run(`ATTACH '${f}' AS d ${opts}`);
    const defs = cols.map(([c0, t]) => `"${c0}" ${t}${zstd && c0 === 'mastodon_text' ? ' USING COMPRESSION zstd' : ''}`).join(', ');
    await run(`CREATE TABLE d.t (${defs})`);
    await run(`INSERT INTO d.t SELECT * FROM read_parquet('${parquet}')`);
    await run('CHECKPOINT d');
    const top = await run(`SELECT column_name AS c, compression AS z, count(DISTINCT block_id)::INT AS blocks FROM pragma_storage_info('d.t') GROUP BY ALL ORDER BY blocks DESC LIMIT 4`);
    await run('DETACH d');
    console.log(`native, ${name}: ${(statSync(f).size / n).toFixed(1)} B/toot over ${n} toots; biggest columns (blocks): ${top.map((r) => `${r.c} ${r.z} ${r.blocks}`).join(', ')}`);
  }
}

async function wasm() {
  const { createDuckDB, ConsoleLogger, LogLevel, NODE_RUNTIME } = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = {
    eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
    mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
  };
  for (const mode of ['main database', 'main database + SET storage_compatibility_version', "ATTACH … (STORAGE_VERSION 'v1.2.0')"]) {
    const attach = mode.startsWith('ATTACH');
    const f = path.join(dir, `wasm-${mode.length}.duckdb`);
    const db = await createDuckDB(bundles, new ConsoleLogger(LogLevel.WARNING), NODE_RUNTIME);
    await db.instantiate();
    db.open({ path: attach ? ':memory:' : f, accessMode: 3 /* READ_WRITE */ });
    const c = db.connect();
    const q = (s) => c.query(s).toArray().map((r) => r.toJSON());
    const [{ v }] = q('SELECT version() AS v');
    if (mode.includes('SET')) q("SET storage_compatibility_version = 'v1.2.0'");
    if (attach) q(`ATTACH '${f}' AS d (STORAGE_VERSION 'v1.2.0')`);
    const t = attach ? 'd.t' : 't';
    q(`CREATE TABLE ${t} (i INT, txt VARCHAR USING COMPRESSION zstd)`);
    q(`INSERT INTO ${t} SELECT i, 'Toot ' || i || ': ' || repeat('the fediverse talks about music and photography today ', (i % 7)::INT) || md5(i::VARCHAR) FROM range(200000) r(i)`);
    q(attach ? 'CHECKPOINT d' : 'CHECKPOINT');
    const z = q(`SELECT compression AS z, count(DISTINCT block_id)::INT AS b FROM pragma_storage_info('${t}') WHERE column_name = 'txt' GROUP BY ALL ORDER BY b DESC LIMIT 1`)[0];
    c.close();
    console.log(`duckdb-wasm (DuckDB ${v}), ${mode}: text column ${z.z}, ${z.b} blocks; file ${(statSync(f).size / 1e6).toFixed(1)} MB for 200,000 rows`);
  }
}

try {
  await native();
  await wasm();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
