import 'fake-indexeddb/auto';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { nativeQuery } from './helpers/native-duckdb';
import { fixtureStatuses } from './helpers/fixtures';
import { StatusGenerator } from '../../src/core/demo/generator';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TOOT_COLUMNS, type TootRow } from '../../src/core/toot';
import { TootTable } from '../../src/store/duckdb/toot-table';
import { BatchStore } from '../../src/store/wal/batch-store';
import { LocalData } from '../../src/store/local-data';
import { parquetCodec } from '../../src/store/archive/parquet-codec';
import { zstd } from './helpers/zstd';
import { exportTootsParquet, type ParquetModule } from '../../src/store/parquet/parquet-wasm';
import { exportHiveZip } from '../../src/store/export/hive-export';
import { ImportError, fastBatch, importParquet, importParquetFiles, isZip, parquetEntriesOfZip } from '../../src/store/import/parquet-import';
import type { AnalyticsDb } from '../../src/db/analytics-db';

const PQ = pq as unknown as ParquetModule;

/** Generated posts over a few days from two collecting instances. */
function generatedToots(n: number): TootRow[] {
  const gens = ['https://mastodon.social', 'https://fosstodon.org'].map(
    (collectedFrom, i) => new StatusGenerator({ seed: 60 + i, collectedFrom, startTime: Date.UTC(2026, 10, 20), ratePerSecond: 0.01 }),
  );
  return [...Array(n)].map((_, i) => {
    const gen = gens[i % 2]!;
    const s = gen.next();
    return normalizeStatus(s, gen.collectedFrom, i % 3 ? 'stream' : 'backfill', gen.now + 250);
  });
}
const codec = parquetCodec(PQ, zstd);
const dbs: AnalyticsDb[] = [];
let stores = 0;

/** Every column as text, ordered by uri: equal dumps mean equal tables. */
async function dump(db: AnalyticsDb): Promise<Array<Record<string, string | null>>> {
  return db.query(`SELECT ${TOOT_COLUMNS.map(([n]) => `${n}::VARCHAR AS ${n}`).join(', ')} FROM toots ORDER BY uri`);
}

async function count(db: AnalyticsDb): Promise<number> {
  const [r] = await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots');
  return r!.n;
}

/** A fresh page's store: DuckDB + a new IndexedDB batch store (fake-indexeddb). */
async function freshData(name = `import-${stores++}`): Promise<LocalData> {
  const db = await openNodeDuckDb();
  dbs.push(db);
  return LocalData.open(db, [], async () => codec, { store: await BatchStore.open(name) });
}

const importInto = (data: LocalData, bytes: Uint8Array) => importParquet(codec, bytes, (ipc, rows) => data.importBatch(ipc, rows));

describe('Parquet import', () => {
  let source: AnalyticsDb;
  let exported: Uint8Array;
  let dir: string;
  let rows: TootRow[];

  beforeAll(async () => {
    source = await openNodeDuckDb();
    dbs.push(source);
    const table = new TootTable(source);
    await table.init();
    const fixtures = fixtureStatuses().map(([, s], i) => normalizeStatus(s, 'https://mastodon.social', 'stream', Date.UTC(2026, 10, 23) + i));
    fixtures[1]!.edited_at = Date.UTC(2026, 10, 23, 1, 2, 3);
    rows = [...fixtures, ...generatedToots(2500)];
    await table.apply({ ipc: tootsToIPC(rows.slice(0, 1200)), deletes: [] });
    await table.apply({ ipc: tootsToIPC(rows.slice(1200)), deletes: [] });
    exported = await exportTootsParquet(source, PQ);
    dir = mkdtempSync(path.join(tmpdir(), 'tootscope-import-'));
    writeFileSync(path.join(dir, 'toots.parquet'), exported);
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
  });

  it('round trip: export → import into a fresh database gives the same table, and a reload keeps it', async () => {
    const data = await freshData('round-trip');
    const result = await importInto(data, exported);
    const n = await count(source);
    expect(result).toMatchObject({ flavours: ['tootscope'], files: 1, rows: n, skipped: 0, batches: Math.ceil(n / 10_000) });
    expect(await dump(data.db)).toEqual(await dump(source));

    // A reload: a new DuckDB replays the stored batches.
    const again = await freshData('round-trip');
    expect(await dump(again.db)).toEqual(await dump(source));
  });

  it('importing twice does not double anything', async () => {
    const data = await freshData();
    await importInto(data, exported);
    const once = await dump(data.db);
    await importInto(data, exported);
    expect(await count(data.db)).toBe(once.length);
    expect(await dump(data.db)).toEqual(once);
  });

  it('merges with toots already collected, deduplicated by uri', async () => {
    const data = await freshData();
    // Half the posts were collected here already (some seen on another instance too).
    const mine = rows.slice(0, 1000).map((r) => ({ ...r, base_url: 'https://fosstodon.org', seen_on: ['https://fosstodon.org'], received_at: r.received_at - 1 }));
    await data.importBatch(tootsToIPC(mine), mine.length);
    await importInto(data, exported);
    expect(await count(data.db)).toBe(await count(source));
    const [both] = await data.db.query<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM toots WHERE list_contains(seen_on, 'https://fosstodon.org') AND len(seen_on) >= 2`,
    );
    expect(both!.n).toBeGreaterThan(500);
  });

  it('turns the tz-aware timestamps of our files into plain UTC microsecond timestamps in Arrow', async () => {
    const ipcs: Uint8Array[] = [];
    await importParquet(codec, exported, async (ipc) => void ipcs.push(ipc), { batchRows: 500 });
    expect(ipcs.length).toBe(Math.ceil((await count(source)) / 500));
    const t = tableFromIPC(ipcs[0]!);
    for (const name of ['created_ts', 'received_at', 'edited_at', 'account_created_at']) {
      const type = t.schema.fields.find((f) => f.name === name)!.type as { unit: number; timezone?: string | null };
      expect(type.timezone ?? null, name).toBeNull();
      expect(type.unit, name).toBe(2); // MICROSECOND
    }
    const original = tableFromIPC(pq.readParquet(exported).intoIPCStream());
    expect((original.schema.fields.find((f) => f.name === 'created_ts')!.type as { timezone: string }).timezone).toBe('UTC');
  });

  it('takes our columns as other writers type them: ms/ns timestamps, nulls, Int64 counts (the row-by-row path)', async () => {
    const variant = path.join(dir, 'variant.parquet');
    await nativeQuery([
      `SET TimeZone = 'UTC'`,
      `COPY (SELECT * REPLACE (
          created_ts::TIMESTAMP::TIMESTAMP_MS AS created_ts, received_at::TIMESTAMP::TIMESTAMP_NS AS received_at,
          CASE WHEN m_id % 7 = 0 THEN NULL ELSE app END AS app, favourites::BIGINT AS favourites)
        FROM read_parquet('${path.join(dir, 'toots.parquet')}')) TO '${variant}' (FORMAT parquet)`,
    ]);
    const data = await freshData();
    const result = await importInto(data, readFileSync(variant));
    expect(result).toMatchObject({ flavours: ['tootscope'], rows: await count(source), skipped: 0 });
    const want = await source.query<Record<string, unknown>>(
      `SELECT ${TOOT_COLUMNS.map(([n]) => (n === 'app' ? `CASE WHEN m_id % 7 = 0 THEN '' ELSE app END AS app` : `${n}::VARCHAR AS ${n}`)).join(', ')} FROM toots ORDER BY uri`,
    );
    expect(await dump(data.db)).toEqual(want);
  });

  it('takes whole record batches zero-copy when the types are ours, also with ms or ns timestamps', async () => {
    const ours = tableFromIPC(pq.readParquet(exported).intoIPCStream());
    expect(ours.batches.every((b) => fastBatch(b) !== null)).toBe(true);
    const variant = path.join(dir, 'variant-units.parquet');
    await nativeQuery([
      `SET TimeZone = 'UTC'`,
      `COPY (SELECT * REPLACE (created_ts::TIMESTAMP::TIMESTAMP_MS AS created_ts, received_at::TIMESTAMP::TIMESTAMP_NS AS received_at)
        FROM read_parquet('${path.join(dir, 'toots.parquet')}')) TO '${variant}' (FORMAT parquet)`,
    ]);
    const bytes = readFileSync(variant);
    const units = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
    expect(units.batches.every((b) => fastBatch(b) !== null)).toBe(true);
    const data = await freshData();
    await importInto(data, bytes);
    expect(await dump(data.db)).toEqual(await dump(source));
  });

  it('imports every part of our Hive zip to the same table', async () => {
    const { zip } = await exportHiveZip(source, codec);
    expect(isZip(zip)).toBe(true);
    const data = await freshData();
    const entries = parquetEntriesOfZip(zip);
    // One file per day and collecting instance (hive-export.ts): several, smaller than a batch.
    expect(entries.length).toBeGreaterThan(3);
    const result = await importParquetFiles(codec, entries.map(([name, bytes]) => ({ name, bytes })), (ipc, n) => data.importBatch(ipc, n));
    // Rows gather across the files into the usual 10 k batches.
    expect(result).toMatchObject({ files: entries.length, batches: Math.ceil((await count(source)) / 10_000) });
    expect(await dump(data.db)).toEqual(await dump(source));
  });

  it('imports a notebook-columns-only file (written by native DuckDB) with the derived columns', async () => {
    const nb = path.join(dir, 'notebook.parquet');
    await nativeQuery(
      `COPY (SELECT m_id, created_at, created_at_str, app, url, base_url, language, favourites, username, bot, tags,
               characters, words, mastodon_text FROM read_parquet('${path.join(dir, 'toots.parquet')}')) TO '${nb}' (FORMAT parquet)`,
    );
    const data = await freshData('notebook');
    const before = Date.now();
    const result = await importInto(data, readFileSync(nb));
    expect(result).toMatchObject({ flavours: ['notebook'], skipped: 0 });
    const n = await count(source);
    // url is unique per post here as uri is, so nothing merges that should not.
    expect(await count(data.db)).toBe(n);

    const cmp = await data.db.query<{ bad: number }>(
      `SELECT count(*)::INTEGER AS bad FROM toots WHERE NOT (
         id = m_id::VARCHAR AND uri = url AND created_ts = epoch_ms(created_at * 1000)
         AND from_instance = regexp_extract(url, '^https?://([^/]+)', 1) AND acct = username || '@' || from_instance
         AND seen_on = [base_url] AND source = 'import' AND visibility = 'public' AND hashtags = []
         AND received_at >= epoch_ms(${before}))`,
    );
    expect(cmp[0]!.bad).toBe(0);
    // The notebook's own columns arrive unchanged.
    const nbCols = 'm_id, created_at, created_at_str, app, url, base_url, language, favourites, username, bot, tags, characters, words, mastodon_text'
      .split(', ').map((c) => `${c}::VARCHAR AS ${c}`).join(', ');
    const nbDump = `SELECT ${nbCols} FROM toots ORDER BY url, m_id`;
    expect(await data.db.query(nbDump)).toEqual(await source.query(nbDump));
  });

  it('says what is wrong with a file it cannot import, and names it', async () => {
    const data = await freshData();
    await expect(importParquet(codec, new TextEncoder().encode('not parquet at all'), (i, n) => data.importBatch(i, n))).rejects.toThrow(
      /not a Parquet file/,
    );
    const other = path.join(dir, 'other.parquet');
    await nativeQuery(`COPY (SELECT 1 AS a, 'x' AS b) TO '${other}' (FORMAT parquet)`);
    const err = await importParquetFiles(codec, [{ name: 'other.parquet', bytes: readFileSync(other) }], (i, n) => data.importBatch(i, n)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toMatch(/^other\.parquet: neither a Tootscope nor a notebook file: it lacks m_id, created_at, url, base_url, username$/);
    expect(await count(data.db)).toBe(0);
  });

  it('reads the notebook\'s own typing: bot as text, a url with a port, a missing language', async () => {
    const nb = path.join(dir, 'notebook-literal.parquet');
    await nativeQuery(
      `COPY (SELECT * FROM (VALUES
         (111, 1763856000, '2025 11 23 00:00:00', 'Web', 'http://127.0.0.1:8080/@ann/111', 'http://127.0.0.1:8080/', NULL, 2, 'ann', 'False', 0, 5, 1, 'hello'),
         (112, 1763856061, '2025 11 23 00:01:01', '', 'https://bots.example/@tick/112', 'https://mastodon.social', 'en', 0, 'tick', 'True', 1, 3, 1, 'bot')
       ) v(m_id, created_at, created_at_str, app, url, base_url, language, favourites, username, bot, tags, characters, words, mastodon_text))
       TO '${nb}' (FORMAT parquet)`,
    );
    const data = await freshData();
    await importInto(data, readFileSync(nb));
    const got = await data.db.query<Record<string, unknown>>(
      `SELECT id, uri, from_instance, acct, bot, language, base_url, seen_on::VARCHAR AS seen_on, strftime(created_ts, '%Y-%m-%d %H:%M:%S') AS t, source FROM toots ORDER BY id`,
    );
    expect(got).toEqual([
      { id: '111', uri: 'http://127.0.0.1:8080/@ann/111', from_instance: '127.0.0.1:8080', acct: 'ann@127.0.0.1:8080', bot: false, language: 'unknown', base_url: 'http://127.0.0.1:8080', seen_on: "['http://127.0.0.1:8080']", t: '2025-11-23 00:00:00', source: 'import' },
      { id: '112', uri: 'https://bots.example/@tick/112', from_instance: 'bots.example', acct: 'tick@bots.example', bot: true, language: 'en', base_url: 'https://mastodon.social', seen_on: "['https://mastodon.social']", t: '2025-11-23 00:01:01', source: 'import' },
    ]);
  });
});
