import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { nativeQuery } from './helpers/native-duckdb';
import { fixtureStatuses } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import { exportTootsParquet } from '../../src/store/parquet/parquet-wasm';
import { notebookViews } from '../../src/core/sql/schema';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { ParquetModule } from '../../src/store/parquet/parquet-wasm';

const BASE = 'https://mastodon.social';

describe('Parquet export', () => {
  let db: AnalyticsDb;
  let file: string;
  const statuses = fixtureStatuses().map(([, s]) => s);

  beforeAll(async () => {
    db = await openNodeDuckDb();
    const table = new TootTable(db);
    await table.init();
    const rows = statuses.map((s, i) => normalizeStatus(s, BASE, 'stream', Date.UTC(2026, 10, 23) + i));
    rows[1]!.edited_at = Date.UTC(2026, 10, 23, 1, 2, 3);
    await table.apply({ ipc: tootsToIPC(rows), deletes: [] });
    const bytes = await exportTootsParquet(db, pq as unknown as ParquetModule);
    file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-')), 'toots.parquet');
    writeFileSync(file, bytes);
  });
  afterAll(async () => db.close());

  it('is zstd Parquet with the schema columns and types, read by native DuckDB', async () => {
    const cols = await nativeQuery<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    expect(types).toMatchObject({
      m_id: 'BIGINT', created_at: 'BIGINT', created_at_str: 'VARCHAR', app: 'VARCHAR', url: 'VARCHAR', base_url: 'VARCHAR',
      language: 'VARCHAR', favourites: 'INTEGER', username: 'VARCHAR', bot: 'BOOLEAN', tags: 'INTEGER', characters: 'INTEGER',
      words: 'INTEGER', mastodon_text: 'VARCHAR', id: 'VARCHAR', uri: 'VARCHAR', created_ts: 'TIMESTAMP WITH TIME ZONE',
      received_at: 'TIMESTAMP WITH TIME ZONE', edited_at: 'TIMESTAMP WITH TIME ZONE', hashtags: 'VARCHAR[]', seen_on: 'VARCHAR[]',
      has_poll: 'BOOLEAN', source: 'VARCHAR',
    });
    expect(cols).toHaveLength(36);
    const codecs = await nativeQuery<{ c: string }>(`SELECT DISTINCT compression AS c FROM parquet_metadata('${file}')`);
    expect(codecs.map((c) => c.c)).toEqual(['ZSTD']);
  });

  it('holds every post once with exact ids, epoch seconds and instants', async () => {
    const rows = await nativeQuery<{ n: string; ok: boolean }>(
      `SELECT count(*) AS n, bool_and(m_id::VARCHAR = id) AS ok FROM read_parquet('${file}')`,
    );
    expect(rows[0]).toEqual({ n: String(new Set(statuses.map((s) => s.uri)).size), ok: true });
    const s = statuses[0]!;
    const [r] = await nativeQuery<{ created_at: string; iso: string }>(
      `SET TimeZone = 'UTC'; SELECT created_at, strftime(created_ts, '%Y-%m-%dT%H:%M:%S.%g') AS iso FROM read_parquet('${file}') WHERE id = '${s.id}'`.split('; '),
    );
    expect(Number(r!.created_at)).toBe(Math.floor(Date.parse(s.created_at) / 1000));
    expect(r!.iso + 'Z').toBe(new Date(s.created_at).toISOString());
  });

  it('builds the notebook views on it unchanged', async () => {
    const out = await nativeQuery<{ n: string }>([
      `CREATE TABLE toots AS SELECT * FROM read_parquet('${file}')`,
      `CREATE TABLE language (lang_iso VARCHAR, language_name VARCHAR)`,
      `INSERT INTO language VALUES ('en', 'English')`,
      ...notebookViews(),
      `SELECT count(*) AS n FROM mastodon_toot WHERE language NOT IN ('unknown') AND date_part('hour', created_tz) >= 0`,
    ]);
    expect(Number(out[0]!.n)).toBe(statuses.filter((s) => s.language).length);
  });
});
