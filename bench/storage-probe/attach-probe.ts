/**
 * The page of `node bench/storage-probe/browser.mjs`: can the page's DuckDB-WASM keep its table in
 * an OPFS file written at a newer storage version (where text compresses with zstd), by attaching
 * the file instead of opening it as the main database? Not part of the app.
 * - `?mode=write`: `:memory:` main database, ATTACH 'opfs://attach-probe.duckdb' (STORAGE_VERSION
 *   'v1.2.0'), a table with zstd text, 200 k rows, CHECKPOINT, DETACH; the column's compression and
 *   the OPFS file sizes.
 * - `?mode=read`: after a reload, ATTACH again and count the rows.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';

const FILE = 'opfs://attach-probe.duckdb';
const mode = new URLSearchParams(location.search).get('mode');

async function opfsFiles(): Promise<Record<string, number>> {
  const root = (await navigator.storage.getDirectory()) as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> };
  const out: Record<string, number> = {};
  for await (const [name, h] of root.entries()) if (h.kind === 'file') out[name] = (await (h as FileSystemFileHandle).getFile()).size;
  return out;
}

async function run(): Promise<Record<string, unknown>> {
  const steps: string[] = [];
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), new Worker(ehWorker));
  await db.instantiate(ehWasm, null);
  await db.open({ path: ':memory:', accessMode: duckdb.DuckDBAccessMode.READ_WRITE, opfs: { fileHandling: 'auto' } } as duckdb.DuckDBConfig);
  const conn = await db.connect();
  const q = async (sql: string) => {
    steps.push(sql.slice(0, 60));
    return (await conn.query(sql)).toArray().map((r) => r.toJSON());
  };
  try {
    await q("SET autoinstall_known_extensions = false");
    await q("SET autoload_known_extensions = false");
    if (new URLSearchParams(location.search).has('register')) try {
      await db.registerOPFSFileName(FILE);
      steps.push('registerOPFSFileName ok');
    } catch (e) {
      steps.push(`registerOPFSFileName: ${(e as Error).message}`);
    }
    if (mode === 'seed') {
      // An empty database written at the newer storage version in the worker's memory, its bytes
      // copied into OPFS, then opened as the main database: the file keeps the version it has.
      const t0 = performance.now();
      await db.registerEmptyFileBuffer('seed.duckdb');
      await q("ATTACH 'seed.duckdb' AS seed (STORAGE_VERSION 'v1.2.0')");
      await q('CHECKPOINT seed');
      await q('DETACH seed');
      const bytes = await db.copyFileToBuffer('seed.duckdb');
      steps.push(`seed ${bytes.byteLength} bytes`);
      const root = await navigator.storage.getDirectory();
      const w = await (await root.getFileHandle('seeded.duckdb', { create: true })).createWritable();
      await w.write(new Uint8Array(bytes));
      await w.close();
      steps.push('written to OPFS');
      const seedMs = performance.now() - t0;
      await conn.close();
      await db.open({ path: 'opfs://seeded.duckdb', accessMode: duckdb.DuckDBAccessMode.READ_WRITE });
      steps.push('opened');
      const c2 = await db.connect();
      const q2 = async (sql: string) => (await c2.query(sql)).toArray().map((r) => r.toJSON());
      await q2('CREATE TABLE t (i INT, txt VARCHAR USING COMPRESSION zstd)');
      await q2("INSERT INTO t SELECT i, 'Toot ' || i || ': ' || repeat('the fediverse talks about music and photography today ', (i % 7)::INT) || md5(i::VARCHAR) FROM range(200000) r(i)");
      await q2('CHECKPOINT');
      const z = await q2("SELECT compression AS z, count(DISTINCT block_id)::INT AS b FROM pragma_storage_info('t') WHERE column_name = 'txt' GROUP BY ALL");
      await db.flushFiles();
      return { ok: true, seedBytes: bytes.byteLength, seedMs, compression: z, files: await opfsFiles(), steps };
    }
    if (mode === 'reopen') {
      await conn.close();
      await db.open({ path: 'opfs://seeded.duckdb', accessMode: duckdb.DuckDBAccessMode.READ_WRITE });
      const c2 = await db.connect();
      const [{ n }] = (await c2.query('SELECT count(*)::INT AS n FROM t')).toArray().map((r) => r.toJSON());
      return { ok: true, rows: n, files: await opfsFiles(), steps };
    }
    const t0 = performance.now();
    await q(`ATTACH '${FILE}' AS s (STORAGE_VERSION 'v1.2.0')`);
    const attachMs = performance.now() - t0;
    if (mode === 'write') {
      await q('CREATE TABLE s.t (i INT, txt VARCHAR USING COMPRESSION zstd)');
      await q("INSERT INTO s.t SELECT i, 'Toot ' || i || ': ' || repeat('the fediverse talks about music and photography today ', (i % 7)::INT) || md5(i::VARCHAR) FROM range(200000) r(i)");
      await q('CHECKPOINT s');
      const z = await q("SELECT compression AS z, count(DISTINCT block_id)::INT AS b FROM pragma_storage_info('s.t') WHERE column_name = 'txt' GROUP BY ALL");
      await q('DETACH s');
      await db.flushFiles();
      return { ok: true, attachMs, compression: z, files: await opfsFiles(), steps };
    }
    const [{ n }] = await q('SELECT count(*)::INT AS n FROM s.t');
    const z = await q("SELECT compression AS z, count(DISTINCT block_id)::INT AS b FROM pragma_storage_info('s.t') WHERE column_name = 'txt' GROUP BY ALL");
    return { ok: true, attachMs, rows: n, compression: z, files: await opfsFiles(), steps };
  } catch (e) {
    return { ok: false, error: String((e as Error)?.message ?? e).slice(0, 500) || String(e), stack: String((e as Error)?.stack ?? '').slice(0, 300), files: await opfsFiles(), steps };
  }
}

declare global {
  interface Window {
    probe?: Promise<Record<string, unknown>>;
  }
}
window.probe = run();
void window.probe.then((r) => (document.getElementById('status')!.textContent = JSON.stringify(r)));
