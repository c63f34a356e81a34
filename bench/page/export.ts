import type { BrowserDb } from '../../src/db/duckdb-browser';
import type { LocalData } from '../../src/store/local-data';
import { loadParquet } from '../../src/store/parquet/parquet-wasm-browser';
import { EXPORT_SQL, queryToParquet } from '../../src/store/parquet/parquet-wasm';
import { workerParquetCodec } from '../../src/store/archive/parquet-worker-client';
import { exportStoredToots } from '../../src/store/export/stored-export';
import { closeWindow, longTaskApi, openWindow, tasksIn } from './responsiveness';
import { say } from './say';
import { now, round } from './stats';

// Export: the Export button's path (exportStoredToots: the stored segments' row groups copied,
// the rows no clean segment holds encoded in the Parquet worker), then the bytes go to the
// driver's upload endpoint so native DuckDB reads exactly this data.

export async function exportParquet(data0: LocalData, name: string | null) {
  say('export');
  const loadMs = 0;
  const w = openWindow();
  const t0 = now();
  const { parts, bytes: size } = await exportStoredToots(data0, workerParquetCodec);
  const ms = now() - t0;
  closeWindow();
  const tasks = tasksIn([w]);
  let uploadMs = 0;
  if (name) {
    const tu = now();
    const res = await fetch(`/__bench/upload?name=${encodeURIComponent(name)}`, { method: 'POST', body: new Blob(parts as BlobPart[]) });
    if (!res.ok) throw new Error(`upload failed: ${res.status}`);
    uploadMs = now() - tu;
  }
  return {
    seconds: round(ms / 1000, 3),
    bytes: size,
    parquetLoadMs: round(loadMs),
    longTaskMax: longTaskApi ? round(Math.max(0, ...tasks.map((t) => t.duration))) : null,
    longTaskMs: longTaskApi ? round(tasks.reduce((s, t) => s + t.duration, 0)) : null,
    uploadMs: round(uploadMs),
  };
}

/**
 * A fallback so native DuckDB still gets exactly this data when the app's one-piece export fails
 * (e.g. duckdb-wasm cannot allocate the whole result): `parts` Parquet files, each the app's
 * queryToParquet over a hash slice of `toots`, same columns. Not timed as the export.
 */
export async function exportSlices(db0: BrowserDb, base: string, parts: number) {
  const pq = await loadParquet();
  const names: string[] = [];
  const cols = EXPORT_SQL.slice('SELECT '.length, EXPORT_SQL.indexOf(' FROM toots'));
  let bytes = 0;
  for (let i = 0; i < parts; i++) {
    say(`export slice ${i + 1}/${parts}`);
    const part = await queryToParquet(db0, pq, `SELECT ${cols} FROM toots WHERE hash(uri) % ${parts} = ${i}`);
    const name = `${base}-part${i}.parquet`;
    const res = await fetch(`/__bench/upload?name=${encodeURIComponent(name)}`, { method: 'POST', body: new Blob([part as Uint8Array<ArrayBuffer>]) });
    if (!res.ok) throw new Error(`upload failed: ${res.status}`);
    bytes += part.byteLength;
    names.push(name);
  }
  return { names, bytes };
}
