import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';
import { activitySql, chooseGrain, GRAIN_MINUTES, GRAINS, type ActivityRow } from '../../src/core/sql/charts';
import { cubeActivitySql } from '../../src/core/sql/cube/charts';
import { activityView, openBucketFrom } from '../../src/charts/chart-data';
import { formatBucket } from '../../src/charts/format';

/** The mybinder notebook's activity chart (issue 17): monthly buckets, stacked 7-day rolling means. */
const base = fixture('01_stream_public_update_remote_mstdnjp.json') as MastodonStatus;
const DAY = 86_400_000;
/** Posts on a.example in January and March 2026 (none in February), b.example daily in March. */
const POSTS: Array<[string, number]> = [
  ...[3, 10, 20].map((d): [string, number] => ['a.example', Date.UTC(2026, 0, d, 12)]),
  ...[1, 2].map((d): [string, number] => ['a.example', Date.UTC(2026, 2, d, 12)]),
  ...Array.from({ length: 10 }, (_, i): [string, number] => ['b.example', Date.UTC(2026, 2, 1 + i, 9)]),
];

let db: AnalyticsDb;
beforeAll(async () => {
  db = await openNodeDuckDb();
  const table = new TootTable(db);
  await table.init();
  const rows = POSTS.map(([host, at], i) =>
    normalizeStatus({
      ...base, id: String(5000 + i), uri: `https://${host}/users/u/statuses/${i}`, url: `https://${host}/@u/${i}`,
      created_at: new Date(at).toISOString(), edited_at: null, content: '<p>hello</p>',
      account: { ...base.account, username: 'u', acct: `u@${host}` },
    } as MastodonStatus, `https://${host}`, 'stream', Date.UTC(2026, 3, 1)));
  await table.apply({ ipc: tootsToIPC(rows), deletes: [] });
});
afterAll(async () => db?.close());

describe('monthly buckets', () => {
  it('are calendar months, an empty month drawn as 0, from the cubes as from the rows', async () => {
    const options = { grain: 'month' as const, by: 'from_instance' as const, topN: 5 };
    const rows = await db.query<ActivityRow>(cubeActivitySql({}, options)!);
    expect(await db.query(activitySql({}, options))).toEqual(rows);
    const a = rows.filter((r) => r.series === 'a.example');
    expect(a.map((r) => [formatBucket(r.t, 'month'), r.toots])).toEqual([['2026-01', 3], ['2026-02', 0], ['2026-03', 2]]);
    // A window shorter than a month leaves monthly counts as they are.
    expect(a.map((r) => r.rolling)).toEqual([3, 0, 2]);
  });

  it('are offered, never chosen by “auto”, and the current month is the one still filling', () => {
    expect(GRAINS).toContain('month');
    expect(chooseGrain(40 * 365 * DAY)).toBe('week');
    const now = Date.UTC(2026, 2, 1, 12); // 1 March: February (29 days ago) has ended
    expect(openBucketFrom('month', GRAIN_MINUTES.month, 0, now)).toBe(Date.UTC(2026, 2, 1));
    expect(openBucketFrom('month', GRAIN_MINUTES.month, -13 * 60, now)).toBe(Date.UTC(2026, 1, 1));
  });
});

describe('the stacked view of 7-day rolling means', () => {
  it('stacks the rolling means when the window is longer than a bucket, and says how empty days count', async () => {
    const options = { grain: 'day' as const, by: 'from_instance' as const, topN: 5, windowMinutes: 7 * 1440 };
    const rows = await db.query<ActivityRow>(cubeActivitySql({}, options)!);
    const view = activityView(rows, 'day', GRAIN_MINUTES.day, 7 * 1440, '7 days');
    expect(view.means).toBe(true);
    expect(view.yLabel).toBe('mean toots per day');
    expect(view.text).toContain('an empty day counts as 0');
    const b = view.series.find((s) => s.key === 'b.example')!;
    // b.example posts once a day from 1 March: its 7-day mean on 10 March is 7/7; on 3 March 3/7, as the
    // days before 1 March are on the grid (a.example posted in January) and count as 0.
    const at = (d: number) => b.points.find(([t]) => t === Date.UTC(2026, 2, d))![1];
    expect(at(10)).toBe(1);
    const a = view.series.find((s) => s.key === 'a.example')!;
    // a.example: one post on 1 and 2 March, then empty days count as 0 → 2/7 on 7 March.
    expect(a.points.find(([t]) => t === Date.UTC(2026, 2, 7))![1]).toBeCloseTo(2 / 7, 12);
    expect(at(3)).toBeCloseTo(3 / 7, 12);
    // The grid's first day (3 January) averages itself only.
    expect(a.points[0]).toEqual([Date.UTC(2026, 0, 3), 1]);
  });

  it('stacks counts when the window is one bucket', async () => {
    const options = { grain: 'day' as const, by: 'from_instance' as const, topN: 5, windowMinutes: 1440 };
    const rows = await db.query<ActivityRow>(cubeActivitySql({}, options)!);
    const view = activityView(rows, 'day', GRAIN_MINUTES.day, 1440, '1 day');
    expect(view.means).toBe(false);
    expect(view.yLabel).toBe('toots per day');
    expect(view.series.flatMap((s) => s.points.map(([, v]) => v))).toEqual(rows.map((r) => r.toots));
  });
});
