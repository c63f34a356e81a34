import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';
import { localTimeStatements, zoneOffsets } from '../../src/core/sql/local-time';
import { guardSql } from '../../src/core/sql/statement-guard';

/**
 * Local time in the console without ICU (issue 17): the zone's offsets as a table, DST-correct.
 * The zone is Europe/Berlin through Intl (Node has full ICU), whatever zone the test runs in.
 */
function offsetIn(zone: string): (ms: number) => number {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  return (ms) => {
    const name = fmt.formatToParts(ms).find((p) => p.type === 'timeZoneName')!.value; // "GMT+02:00" or "GMT"
    const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
}
const berlin = offsetIn('Europe/Berlin');
const periods = zoneOffsets(berlin, Date.UTC(2000, 0, 1), Date.UTC(2028, 0, 1));

const base = fixture('01_stream_public_update_remote_mstdnjp.json') as MastodonStatus;
const AT = [Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 2, 29, 1, 0), Date.UTC(2026, 6, 1, 12), Date.UTC(2026, 11, 1, 12), Date.UTC(2026, 9, 25, 0, 30)];

let db: AnalyticsDb;
beforeAll(async () => {
  db = await openNodeDuckDb();
  const table = new TootTable(db);
  await table.init([], localTimeStatements(periods, 'Europe/Berlin'));
  const rows = AT.map((at, i) =>
    normalizeStatus({
      ...base, id: String(7000 + i), uri: `https://a.example/users/u/statuses/${i}`, url: `https://a.example/@u/${i}`,
      created_at: new Date(at).toISOString(), edited_at: null, account: { ...base.account, username: 'u', acct: 'u@a.example' },
    } as MastodonStatus, 'https://a.example', 'stream', Date.UTC(2027, 0, 1)));
  await table.apply({ ipc: tootsToIPC(rows), deletes: [] });
});
afterAll(async () => db?.close());

describe('the zone’s offsets', () => {
  it('change exactly when Berlin’s clocks do', () => {
    const in2026 = periods.filter((p) => p.from >= Date.UTC(2026, 0, 1) && p.from < Date.UTC(2027, 0, 1));
    expect(in2026.map((p) => [new Date(p.from).toISOString(), p.offset])).toEqual([
      ['2026-03-29T01:00:00.000Z', 120],
      ['2026-10-25T01:00:00.000Z', 60],
    ]);
    expect(periods[0]!.from).toBe(-Infinity);
    expect(periods.at(-1)!.to).toBe(Infinity);
    // Two changes a year since 2000, each period ending where the next starts.
    expect(periods.length).toBe(2 * 28 + 1);
    for (let i = 1; i < periods.length; i++) expect(periods[i]!.from).toBe(periods[i - 1]!.to);
  });
});

describe('created_local in the console', () => {
  it('is the local wall-clock time on either side of a DST change, in toots_local and through local_time()', async () => {
    const rows = await db.query<{ utc: string; local: string; via_macro: string }>(
      `SELECT strftime(created_ts, '%Y-%m-%d %H:%M') AS utc, strftime(created_local, '%Y-%m-%d %H:%M') AS local,
         strftime(local_time(created_ts), '%Y-%m-%d %H:%M') AS via_macro FROM toots_local ORDER BY created_ts`);
    expect(rows.map((r) => [r.utc, r.local])).toEqual([
      ['2026-03-29 00:59', '2026-03-29 01:59'],
      ['2026-03-29 01:00', '2026-03-29 03:00'],
      ['2026-07-01 12:00', '2026-07-01 14:00'],
      ['2026-10-25 00:30', '2026-10-25 02:30'],
      ['2026-12-01 12:00', '2026-12-01 13:00'],
    ]);
    expect(rows.map((r) => r.via_macro)).toEqual(rows.map((r) => r.local));
    const [n] = await db.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM mastodon_toot WHERE hour(local_time(created_tz)) = 14`);
    expect(n!.n).toBe(1);
  });

  it('is the app’s: the console cannot replace or change it (a table of the console’s own asks only for a confirmation)', () => {
    for (const sql of ['DROP TABLE zone_offsets', 'CREATE OR REPLACE VIEW toots_local AS SELECT 1', 'DELETE FROM zone_offsets']) {
      expect(guardSql(sql).action, sql).toBe('refuse');
    }
  });
});
