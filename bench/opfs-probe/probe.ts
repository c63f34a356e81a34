/**
 * The page of `node bench/opfs-probe/run.mjs`: would a DuckDB database file in OPFS get the reload
 * of issue 6 under 3 s, and at what cost? Not part of the app.
 * - `?mode=build`: the app's tables in `opfs://probe.db`, filled as a reload fills them
 *   (loadSnapshot over the parts run.mjs wrote), then checkpointed; reports the file sizes.
 * - `?mode=open`: opens the file and answers SUMMARY_SQL; times from navigation start.
 * `bundle=coi|eh` picks DuckDB's bundle.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthread from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { OFFLINE_SETTINGS, type AnalyticsDb } from '../../src/db/analytics-db';
import { overConnection } from '../../src/db/duckdb-browser';
import { SUMMARY_SQL } from '../../src/core/sql/summary';
import { TootTable } from '../../src/store/duckdb/toot-table';
import { loadSnapshot } from '../../src/store/archive/snapshot';
import { workerParquetCodec } from '../../src/store/archive/parquet-worker-client';

const params = new URLSearchParams(location.search);
const PATH = 'opfs://probe.db';

async function start(coi: boolean): Promise<AnalyticsDb> {
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), new Worker(coi ? coiWorker : ehWorker));
  await db.instantiate(coi ? coiWasm : ehWasm, coi ? coiPthread : null);
  await db.open({ path: PATH, accessMode: duckdb.DuckDBAccessMode.READ_WRITE, ...(coi ? { maximumThreads: 2 } : {}), query: { castBigIntToDouble: false } });
  const conn = await db.connect();
  for (const s of OFFLINE_SETTINGS) await conn.query(s);
  return overConnection(db, conn);
}

async function opfsFiles(): Promise<Record<string, number>> {
  const root = (await navigator.storage.getDirectory()) as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> };
  const out: Record<string, number> = {};
  for await (const [name, h] of root.entries()) if (h.kind === 'file') out[name] = (await (h as FileSystemFileHandle).getFile()).size;
  return out;
}

async function build(coi: boolean) {
  const db = await start(coi);
  await new TootTable(db).init([]);
  const parts = JSON.parse(params.get('parts') ?? '[]') as number[];
  const segments = parts.map((rows, id) => ({ id, rows, bytes: 0 }));
  const part = async (i: number) => new Uint8Array(await (await fetch(`/bench/out/opfs-probe/part-${i}.parquet`)).arrayBuffer());
  const t0 = performance.now();
  const rows = parts.reduce((a, b) => a + b, 0);
  await loadSnapshot(db, { upToSeq: 0, rows, segments, sightings: null, tombstones: null, deletedUris: null, writtenAt: 0 }, part, workerParquetCodec);
  await db.exec('CHECKPOINT');
  const loadMs = performance.now() - t0;
  const [n] = await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots');
  await db.close();
  return { rows: n?.n ?? 0, loadMs, files: await opfsFiles() };
}

async function open(coi: boolean) {
  const db = await start(coi);
  const openedMs = performance.now();
  const [s] = await db.query<{ toots: number }>(SUMMARY_SQL);
  const queryableMs = performance.now();
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await db.query(SUMMARY_SQL);
    warm.push(performance.now() - t);
  }
  const memBytes = await db.memoryBytes();
  await db.close();
  return { openedMs, firstSummaryMs: queryableMs - openedMs, queryableMs, warmSummaryMs: warm.sort((a, b) => a - b)[2], toots: s?.toots ?? 0, memBytes };
}

const coi = params.get('bundle') === 'coi';
(window as unknown as { probe: Promise<unknown> }).probe = (params.get('mode') === 'build' ? build(coi) : open(coi)).then(
  (r) => ({ crossOriginIsolated, ...r }),
  (e: Error) => ({ error: String(e.message ?? e) }),
);
