import 'fake-indexeddb/auto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { openNodeDuckDb } from './node-duckdb';
import { nativeQuery } from './native-duckdb';
import { fixtureStatuses } from './fixtures';
import { normalizeStatus } from '../../../src/core/normalize';
import { tootsToIPC } from '../../../src/core/arrow-batch';
import { BatchStore, StorageFullError } from '../../../src/store/wal/batch-store';
import { LocalData, type OpenOptions } from '../../../src/store/local-data';
import { parquetCodec } from '../../../src/store/archive/parquet-codec';
import { join } from './parquet-rows';
import { zstd } from './zstd';
import { exportStoredToots } from '../../../src/store/export/stored-export';
import type { ParquetModule } from '../../../src/store/parquet/parquet-wasm';
import type { RetentionRule } from '../../../src/core/sql/retention';
import type { AnalyticsDb } from '../../../src/db/analytics-db';
import type { MastodonStatus } from '../../../src/core/mastodon';

/**
 * LocalData over fake-indexeddb and DuckDB-WASM in Node, for the storage tests (compaction,
 * rollups, export): a store name opens the same stored data again, as a reload does.
 */
export const codec = parquetCodec(pq as unknown as ParquetModule, zstd);
export const A = 'https://a.example';
export const B = 'https://b.example';

let dbs: AnalyticsDb[] = [];
afterEach(async () => {
  for (const db of dbs) await db.close();
  dbs = [];
});

/**
 * Small segments are not merged here (mergeBelowRows 0) unless asked: most tests look at the
 * segments each compaction writes.
 */
export async function openLocalData(name: string, opts: Omit<OpenOptions, 'store'> = {}): Promise<LocalData> {
  const db = await openNodeDuckDb();
  dbs.push(db);
  return LocalData.open(db, [], async () => codec, { mergeBelowRows: 0, ...opts, store: await BatchStore.open(name) });
}

/** When `write` says its rows arrived: after every post `posts()` dates. */
export const RECEIVED = Date.UTC(2026, 11, 1);

let n = 0;
/** Distinct posts made from the fixtures: new ids and uris, same shapes; `day` sets created_at. */
export function posts(count: number, day?: number): MastodonStatus[] {
  const base = fixtureStatuses().map(([, s]) => s);
  return [...Array(count)].map((_, i) => {
    const s = base[i % base.length]!;
    const id = String(110_000_000_000_000_000n + BigInt(n++));
    const created_at = day === undefined ? s.created_at : new Date(Date.UTC(2026, 0, day, i % 24, i % 60)).toISOString();
    return { ...s, id, created_at, uri: `${s.uri}/${id}`, url: `${s.url}/${id}` };
  });
}

/** Stores statuses (and deletes, a retention rule) as one batch seen on `base`, and applies it. */
export async function write(
  data: LocalData,
  statuses: MastodonStatus[],
  base = A,
  deletes: Array<{ base_url: string; id: string }> = [],
  prune?: RetentionRule,
): Promise<void> {
  const stored = await storeBatch(data.store, statuses, base, deletes, prune);
  await data.applied(stored);
  data.noteFlushed(statuses.length);
}

/** Stores `statuses` as a batch in IndexedDB only, as collection does while DuckDB is not there yet. */
export function storeBatch(
  store: BatchStore,
  statuses: MastodonStatus[],
  base = A,
  deletes: Array<{ base_url: string; id: string }> = [],
  prune?: RetentionRule,
) {
  const rows = statuses.map((s, i) => normalizeStatus(s, base, 'stream', RECEIVED + i));
  return store.append({ ipc: rows.length ? tootsToIPC(rows) : null, deletes, prune }, rows.length);
}

/** The app's Parquet export of `data`, written to a temporary file for native DuckDB to read. */
export async function exportedFile(data: LocalData): Promise<string> {
  const { parts } = await exportStoredToots(data, codec);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-export-')), 'toots.parquet');
  writeFileSync(file, join(parts));
  return file;
}

/**
 * Makes the store's next compaction commit wait for `release` (true: then fail as a full quota
 * does), and says when it is reached: the compaction has made its plan and encoded it.
 */
export function holdCommit(store: BatchStore) {
  const commit = store.commitCompaction.bind(store);
  let release!: (fail: boolean) => void;
  const gate = new Promise<boolean>((r) => (release = r));
  let reached!: () => void;
  const planned = new Promise<void>((r) => (reached = r));
  store.commitCompaction = async (...args) => {
    reached();
    store.commitCompaction = commit;
    if (await gate) throw new StorageFullError('the browser storage quota is full');
    return commit(...args);
  };
  return { planned, release };
}

/** Every row's identity and content in one string, with the counts: a table, a reload and an export compare equal. */
const FINGERPRINT = `count(*)::INTEGER AS n, count(DISTINCT uri)::INTEGER AS u,
  string_agg(concat_ws('|', uri, favourites, mastodon_text, epoch_us(created_ts), id, url, username, created_at, created_at_str), ';' ORDER BY uri) AS f`;
export interface Fingerprint {
  n: number;
  u: number;
  f: string;
}

/** The fingerprint of `data`'s toots table. */
export async function tableFingerprint(data: LocalData): Promise<Fingerprint> {
  return (await data.db.query<Fingerprint>(`SELECT ${FINGERPRINT} FROM toots`))[0]!;
}

/** The same, of a Parquet file read by native DuckDB. */
export async function fileFingerprint(file: string): Promise<Fingerprint> {
  return (await nativeQuery<Fingerprint>(`SELECT ${FINGERPRINT} FROM read_parquet('${file}')`))[0]!;
}
