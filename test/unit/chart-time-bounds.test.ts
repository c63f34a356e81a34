import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import { activitySql, hourlySql, keywordsSql, MAX_GRID_BUCKETS } from '../../src/core/sql/charts';

/**
 * Issue 14: validation keeps a post dated in year 275760 out of live collection, but an imported
 * file can still bring one. The time grids must stay bounded by MAX_GRID_BUCKETS: before, the
 * activity grid for this table asked DuckDB for ~145 billion minutes and ran out of memory.
 */
describe('time grids with one post dated far from the rest', () => {
  let db: AnalyticsDb;
  const received = Date.UTC(2026, 10, 27);
  beforeAll(async () => {
    db = await openNodeDuckDb();
    const table = new TootTable(db);
    await table.init([['en', 'English']]);
    const base = fixture('03_stream_hashtag_local_update_local_trwnh_app.json');
    const rows = [0, 1, 2].map((i) =>
      normalizeStatus({ ...base, id: String(100 + i), uri: `${base.uri}/${i}`, created_at: new Date(received - i * 3_600_000).toISOString(), content: 'hello world' }, 'https://a.example', 'stream', received),
    );
    // As an import would store it: past the check that live collection applies.
    const far = { ...rows[0]!, id: '999', m_id: 999n, uri: `${base.uri}/far`, created_ts: 8_640_000_000_000_000 - 86_400_000 };
    await table.apply({ ipc: tootsToIPC([...rows, far]), deletes: [] });
  });
  afterAll(async () => db.close());

  it('answers activity by the minute with at most MAX_GRID_BUCKETS buckets, ending at the newest', async () => {
    const out = await db.query<{ t: number; toots: number }>(activitySql({}, { grain: 'minute', by: 'from_instance', topN: 1 }));
    const buckets = new Set(out.map((r) => r.t));
    expect(buckets.size).toBe(MAX_GRID_BUCKETS);
    expect(Math.max(...buckets)).toBeGreaterThan(Date.UTC(275_000, 0, 1));
  });

  it('answers hour of day and keyword trends the same way', async () => {
    const hourly = await db.query<{ day: string }>(hourlySql({}, { maxDays: 14 }));
    expect(hourly.length).toBeLessThanOrEqual(14 * 24);
    const kw = await db.query<{ t: number }>(keywordsSql({}, { keywords: ['hello'], grain: 'hour' })!);
    expect(kw.length).toBeLessThanOrEqual(MAX_GRID_BUCKETS);
    expect(kw.length).toBeGreaterThan(0);
  });
});
