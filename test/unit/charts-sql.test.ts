import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture } from './helpers/fixtures';
import { generatedToots } from './helpers/generated-toots';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import { cubeActivitySql } from '../../src/core/sql/cube/charts';
import type { MastodonStatus, StreamChannel } from '../../src/core/mastodon';
import { channelOf, feedWhereSql, FEED_PREFIX, hasTag } from '../../src/core/channel';
import {
  activitySql, appsSql, chooseGrain, cleanKeywords, containsPattern, dailySql, hashtagsSql, hourlySql, keywordsSql,
  languagesSql, lengthsSql, overlapSql, parseFilterParams, parseInstanceGroups, spanSql, whereSql, writeFilterParams, GROUP_PREFIX,
  type ActivityRow, type AppRow, type ChartFilters, type DailyRow, type HashtagRow, type HourlyRow, type KeywordRow,
  type LanguageRow, type LengthRow, type OverlapRow, type SpanRow,
} from '../../src/core/sql/charts';

const A = 'https://a.example';
const B = 'https://b.example';
const C = 'https://c.example';

/** [UTC time, acct (…bot@ = a bot), language, app ('' = remote), tags, text, collected from]. */
type Spec = [string, string, string | null, string, string[], string, string];

const x = (n: number) => 'x'.repeat(n);
const SPECS: Spec[] = [
  // 2026-11-23
  ['2026-11-23T10:05:00Z', 'alice@a.example', 'en', 'Web', ['Fedi'], 'Hello fediverse', A], // 1
  ['2026-11-23T10:20:00Z', 'alice@a.example', 'en', 'Web', [], 'coffee time', A],
  ['2026-11-23T10:40:00Z', 'bob@b.example', 'de', '', ['fedi'], 'Guten Morgen', A],
  ['2026-11-23T11:10:00Z', 'alice@a.example', 'en', 'Ivory', [], 'more coffee please', A],
  ['2026-11-23T11:15:00Z', 'newsbot@a.example', 'en', 'Web', ['news'], 'news one', A], // 5
  ['2026-11-23T11:30:00Z', 'newsbot@a.example', 'en', 'Web', ['news', 'news'], 'news two', A],
  ['2026-11-23T11:45:00Z', 'carol@c.example', 'ja', '', [], 'こんにちは', B],
  ['2026-11-23T13:00:00Z', 'bob@b.example', 'de', 'Tusky', [], 'Kaffee und Kuchen', B],
  ['2026-11-23T13:30:00Z', 'dave@b.example', null, 'Tusky', ['fedi'], 'no language here', B],
  ['2026-11-23T13:50:00Z', 'carol@c.example', 'ja', '', [], 'おはよう', C], // 10
  // 2026-11-24
  ['2026-11-24T09:00:00Z', 'bob@b.example', 'de', '', [], 'Guten Tag', A],
  ['2026-11-24T09:10:00Z', 'bob@b.example', 'de', 'Tusky', [], 'Kaffee 100% gut', B],
  ['2026-11-24T09:20:00Z', 'alice@a.example', 'en', 'Web', ['coffee'], 'COFFEE!', A],
  ['2026-11-24T09:30:00Z', 'weatherbot@c.example', 'en', '', ['weather'], 'rain_100', A],
  ['2026-11-24T09:40:00Z', 'weatherbot@c.example', 'en', 'Elk', ['weather'], 'sun 50%', C], // 15
  ['2026-11-24T10:00:00Z', 'erin@a.example', 'fr', 'Web', [], 'bonjour', A],
  ['2026-11-24T10:10:00Z', 'erin@a.example', 'fr', 'Web', [], "c'est l'heure", A],
  ['2026-11-24T23:50:00Z', 'alice@a.example', 'en', 'Web', [], 'late coffee', A],
  ['2026-11-24T12:00:00Z', 'frank@b.example', 'es', '', [], x(10), B],
  ['2026-11-24T12:10:00Z', 'frank@b.example', 'es', '', [], x(20), B], // 20
  ['2026-11-24T12:20:00Z', 'frank@b.example', 'es', '', [], x(30), B],
  ['2026-11-24T12:30:00Z', 'frank@b.example', 'es', '', [], x(40), B],
  ['2026-11-24T12:40:00Z', 'frank@b.example', 'es', '', [], x(50), B],
  ['2026-11-24T12:50:00Z', 'frank@b.example', 'es', '', [], x(200), B],
  // 2026-11-26 (nothing on the 25th)
  ['2026-11-26T08:00:00Z', 'alice@a.example', 'en', 'Web', [], 'coffee again', A], // 25
  ['2026-11-26T08:30:00Z', 'gina@c.example', 'it', '', [], 'ciao', C],
  // 2026-11-24 afternoon
  ['2026-11-24T14:00:00Z', 'henry@c.example', 'en', 'Elk', ['fedi', 'Coffee'], 'fedi coffee', C],
  ['2026-11-24T14:05:00Z', 'henry@c.example', 'en', 'Elk', ['fedi'], 'more fedi', C],
  ['2026-11-24T14:10:00Z', 'ivan@b.example', 'de', '', ['fedi'], 'fedi gut', A],
  ['2026-11-24T14:15:00Z', 'ivan@b.example', 'de', '', [], 'gut', A], // 30
];
/** Posts also collected from other instances (1-based row → extra instances): seen_on gets them. */
const ALSO_SEEN: Array<[number, string[]]> = [[1, [B, C]], [3, [C]], [7, [C]], [12, [A]]];

function status(spec: Spec, i: number): MastodonStatus {
  const [at, acct, language, app, tags, text] = spec;
  const base = fixture('01_stream_public_update_remote_mstdnjp.json');
  const [username, host] = acct.split('@') as [string, string];
  const id = String(100000 + i);
  return {
    ...base,
    id,
    uri: `https://${host}/users/${username}/statuses/${id}`,
    url: `https://${host}/@${username}/${id}`,
    created_at: at,
    edited_at: null,
    language,
    content: text,
    application: app ? { name: app, website: null } : null,
    tags: tags.map((name) => ({ name, url: `https://${host}/tags/${name}` })),
    account: { ...base.account, username, acct, bot: username.endsWith('bot') },
  } as MastodonStatus;
}

const ms = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const HOUR = 3_600_000;

let db: AnalyticsDb;
beforeAll(async () => {
  db = await openNodeDuckDb();
  const table = new TootTable(db);
  // No name for `it`: the chart falls back to the code.
  await table.init([['en', 'English'], ['de', 'German'], ['es', 'Spanish'], ['fr', 'French'], ['ja', 'Japanese'], ['unknown', 'unknown']]);
  const received = Date.UTC(2026, 10, 27);
  const first = SPECS.map((s, i) => normalizeStatus(status(s, i), s[6], 'stream', received + i));
  await table.apply({ ipc: tootsToIPC(first), deletes: [] });
  const again = ALSO_SEEN.flatMap(([row, bases]) =>
    bases.map((b, j) => normalizeStatus({ ...status(SPECS[row - 1]!, row - 1), id: String(900000 + row * 10 + j) }, b, 'stream', received + 100)),
  );
  await table.apply({ ipc: tootsToIPC(again), deletes: [] });
});
afterAll(async () => db.close());

const run = <T>(sql: string | null) => {
  if (sql === null) throw new Error('no query');
  return db.query<T>(sql);
};

describe('the fixed data set', () => {
  it('has 30 posts, four of them collected from more than one instance', async () => {
    const [r] = await run<{ n: number; multi: number }>(
      'SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE len(seen_on) > 1)::INTEGER AS multi FROM toots',
    );
    expect(r).toEqual({ n: 30, multi: 4 });
  });
});

describe('filters', () => {
  it('builds no WHERE without filters and escapes every value', () => {
    expect(whereSql({})).toBe('');
    expect(whereSql({ instances: ["x' OR 1=1 --"], languages: ["e'n"] })).toBe(
      "WHERE from_instance IN ('x'' OR 1=1 --') AND language IN ('e''n')",
    );
    expect(whereSql({ from: 0, to: 1000, instances: ['a.example', A] })).toBe(
      `WHERE created_ts >= epoch_ms(0) AND created_ts < epoch_ms(1000) AND (from_instance IN ('a.example') OR list_contains(seen_on, '${A}'))`,
    );
    expect(whereSql({ from: Number.NaN })).toBe('');
    expect(containsPattern("100%_\\'")).toBe("'%100\\%\\_\\\\''%'");
  });

  it('a quote in a value matches nothing rather than everything', async () => {
    const rows = await run<LanguageRow>(languagesSql({ instances: ["x' OR 1=1 --"] }));
    expect(rows).toEqual([]);
  });

  it('reads and writes the URL form, keeping other parameters byte for byte', () => {
    const f: ChartFilters = { from: ms('2026-11-23T12:00:00Z'), to: ms('2026-11-24T00:00:00.500Z'), instances: ['a.example', B], languages: ['en', 'ja'] };
    const search = writeFilterParams('?instances=https%3A%2F%2Fa.example,b.example&demo&lang=fr', f);
    expect(search).toBe(
      '?instances=https%3A%2F%2Fa.example,b.example&demo&from=2026-11-23T12:00:00Z&to=2026-11-24T00:00:00.500Z' +
        '&instance=a.example,https://b.example&lang=en,ja',
    );
    expect(parseFilterParams(search)).toEqual(f);
    expect(writeFilterParams(search, {})).toBe('?instances=https%3A%2F%2Fa.example,b.example&demo');
    expect(writeFilterParams('', {})).toBe('');
    expect(parseFilterParams('?from=garbage&lang=,en,,en')).toEqual({ languages: ['en'] });
  });

  it('picks the finest grain within the bucket budget', () => {
    expect(chooseGrain(6 * HOUR)).toBe('minute');
    expect(chooseGrain(10 * DAY)).toBe('hour');
    expect(chooseGrain(400 * DAY)).toBe('day');
    expect(chooseGrain(40 * 365 * DAY)).toBe('week');
  });
});

describe('1. daily usage', () => {
  it('counts posts, users, source instances and the most frequent user, bot and collecting instance per UTC day', async () => {
    expect(await run<DailyRow>(dailySql({}))).toEqual([
      { day: '2026-11-23', toots: 10, users: 5, source_instances: 3, top_user: 'alice@a.example', top_user_toots: 3, top_bot: 'newsbot@a.example', top_bot_toots: 2, top_collected: A, top_collected_toots: 6 },
      { day: '2026-11-24', toots: 18, users: 7, source_instances: 3, top_user: 'frank@b.example', top_user_toots: 6, top_bot: 'weatherbot@c.example', top_bot_toots: 2, top_collected: A, top_collected_toots: 8 },
      // A tie goes to the first name A→Z.
      { day: '2026-11-26', toots: 2, users: 2, source_instances: 2, top_user: 'alice@a.example', top_user_toots: 1, top_bot: null, top_bot_toots: null, top_collected: A, top_collected_toots: 1 },
    ]);
  });

  it('cuts days at the browser offset (UTC+1 moves 23:50 to the next day)', async () => {
    const rows = await run<DailyRow>(dailySql({}, { offsetMinutes: 60 }));
    expect(rows.map((r) => [r.day, r.toots])).toEqual([['2026-11-23', 10], ['2026-11-24', 17], ['2026-11-25', 1], ['2026-11-26', 2]]);
  });

  it('applies instance and language filters together', async () => {
    expect(await run<DailyRow>(dailySql({ instances: ['c.example'], languages: ['ja'] }))).toEqual([
      { day: '2026-11-23', toots: 2, users: 1, source_instances: 1, top_user: 'carol@c.example', top_user_toots: 2, top_bot: null, top_bot_toots: null, top_collected: B, top_collected_toots: 1 },
    ]);
  });
});

describe('2. client apps', () => {
  it('counts non-bot posts per app, leaving out remote posts without one', async () => {
    expect(await run<AppRow>(appsSql({}))).toEqual([
      { app: 'Web', toots: 7 }, { app: 'Tusky', toots: 3 }, { app: 'Elk', toots: 2 }, { app: 'Ivory', toots: 1 },
    ]);
    expect(await run<AppRow>(appsSql({}, { limit: 2 }))).toHaveLength(2);
  });
});

describe('3. activity by hour of day', () => {
  it('fills every hour between the first and the last post with zeros', async () => {
    const rows = await run<HourlyRow>(hourlySql({}));
    expect(rows).toHaveLength(14 + 24 + 24 + 9);
    expect(rows.reduce((a, r) => a + r.toots, 0)).toBe(30);
    expect(rows.slice(0, 5)).toEqual([
      { day: '2026-11-23', hour: 10, toots: 3 }, { day: '2026-11-23', hour: 11, toots: 4 }, { day: '2026-11-23', hour: 12, toots: 0 },
      { day: '2026-11-23', hour: 13, toots: 3 }, { day: '2026-11-23', hour: 14, toots: 0 },
    ]);
    const last2 = await run<HourlyRow>(hourlySql({}, { maxDays: 2 }));
    expect(last2.map((r) => r.day)).toEqual([...Array(24).fill('2026-11-25'), ...Array(9).fill('2026-11-26')]);
  });

  it('shifts by a fixed offset in minutes for the browser time zone', async () => {
    expect(await run<HourlyRow>(hourlySql({ languages: ['ja'] }, { offsetMinutes: 90 }))).toEqual([
      { day: '2026-11-23', hour: 13, toots: 1 }, { day: '2026-11-23', hour: 14, toots: 0 }, { day: '2026-11-23', hour: 15, toots: 1 },
    ]);
    expect(await run<HourlyRow>(hourlySql({ languages: ['ja'] }, { offsetMinutes: -720 }))).toEqual([
      { day: '2026-11-22', hour: 23, toots: 1 }, { day: '2026-11-23', hour: 0, toots: 0 }, { day: '2026-11-23', hour: 1, toots: 1 },
    ]);
  });
});

describe('4. languages', () => {
  it('names the top languages, keeps unknown, and falls back to the code without a name', async () => {
    expect(await run<LanguageRow>(languagesSql({}))).toEqual([
      { code: 'en', name: 'English', toots: 12, share: 0.4 },
      { code: 'de', name: 'German', toots: 6, share: 0.2 },
      { code: 'es', name: 'Spanish', toots: 6, share: 0.2 },
      { code: 'fr', name: 'French', toots: 2, share: expect.closeTo(2 / 30, 12) },
      { code: 'ja', name: 'Japanese', toots: 2, share: expect.closeTo(2 / 30, 12) },
      { code: 'it', name: 'it', toots: 1, share: expect.closeTo(1 / 30, 12) },
      { code: 'unknown', name: 'unknown', toots: 1, share: expect.closeTo(1 / 30, 12) },
    ]);
  });

  it('filters by an instance posts were collected from (seen_on), OR-ed with an author instance', async () => {
    const seenOnC = await run<LanguageRow>(languagesSql({ instances: [C] }));
    expect(seenOnC.map((r) => [r.code, r.toots])).toEqual([['en', 4], ['ja', 2], ['de', 1], ['it', 1]]);
    const either = await run<LanguageRow>(languagesSql({ instances: [C, 'b.example'] }));
    expect(either.map((r) => [r.code, r.toots])).toEqual([['de', 6], ['es', 6], ['en', 4], ['ja', 2], ['it', 1], ['unknown', 1]]);
    const top2 = await run<LanguageRow>(languagesSql({}, { limit: 2 }));
    expect(top2.map((r) => r.code)).toEqual(['en', 'de']);
  });
});

describe('5. toot length by language', () => {
  it('gives exact quartiles, 1.5 IQR whiskers and outliers per language, busiest first', async () => {
    const rows = await run<LengthRow>(lengthsSql({}));
    expect(rows.map((r) => r.code)).toEqual(['en', 'de', 'es', 'fr', 'ja', 'it', 'unknown']);
    expect(rows.find((r) => r.code === 'es')).toEqual({
      code: 'es', name: 'Spanish', toots: 6, min: 10, q1: 22.5, median: 35, q3: 47.5, max: 200, whisker_lo: 10, whisker_hi: 50, outliers: 1,
    });
    // Code points, not UTF-16 units or bytes.
    expect(rows.find((r) => r.code === 'ja')).toEqual({
      code: 'ja', name: 'Japanese', toots: 2, min: 4, q1: 4.25, median: 4.5, q3: 4.75, max: 5, whisker_lo: 4, whisker_hi: 5, outliers: 0,
    });
  });

  it('computes from a histogram exactly what quantile_cont over every toot gives, also filtered', async () => {
    const big = await openNodeDuckDb();
    try {
      const table = new TootTable(big);
      await table.init([]);
      await table.apply({ ipc: tootsToIPC(generatedToots(6000)), deletes: [] });
      // The figures straight from the rows, as the chart computed them before.
      const reference = (where: string) => `WITH f AS (SELECT * FROM toots ${where}),
        s AS (SELECT language, count(*)::INTEGER AS toots, min(characters)::DOUBLE AS min,
          quantile_cont(characters, 0.25)::DOUBLE AS q1, quantile_cont(characters, 0.5)::DOUBLE AS median,
          quantile_cont(characters, 0.75)::DOUBLE AS q3, max(characters)::DOUBLE AS max FROM f GROUP BY language)
        SELECT s.language AS code, s.language AS name, s.toots, s.min, s.q1, s.median, s.q3, s.max,
          min(characters) FILTER (WHERE characters >= q1 - 1.5 * (q3 - q1))::DOUBLE AS whisker_lo,
          max(characters) FILTER (WHERE characters <= q3 + 1.5 * (q3 - q1))::DOUBLE AS whisker_hi,
          count(*) FILTER (WHERE characters < q1 - 1.5 * (q3 - q1) OR characters > q3 + 1.5 * (q3 - q1))::INTEGER AS outliers
        FROM f JOIN s USING (language) GROUP BY ALL ORDER BY s.toots DESC, s.language LIMIT 20`;
      const all = await big.query<LengthRow>(lengthsSql({}));
      expect(all.length).toBeGreaterThan(5);
      expect(all.some((r) => r.q1 % 1 !== 0 || r.median % 1 !== 0)).toBe(true); // interpolated, not only whole lengths
      expect(all).toEqual(await big.query<LengthRow>(reference('')));
      const f: ChartFilters = { languages: ['de', 'ja'], instances: ['https://fosstodon.org'] };
      const filtered = await big.query<LengthRow>(lengthsSql(f));
      expect(filtered.map((r) => r.code).sort()).toEqual(['de', 'ja']);
      expect(filtered).toEqual(await big.query<LengthRow>(reference(whereSql(f))));
    } finally {
      await big.close();
    }
  });
});

describe('6. keyword trends', () => {
  it('counts case-insensitive matches per hour, with %, _ and quotes matched literally', async () => {
    const f = { from: ms('2026-11-24T09:00:00Z'), to: ms('2026-11-24T15:00:00Z') };
    const rows = await run<KeywordRow>(keywordsSql(f, { keywords: ['coffee', '0%', "l'h", 'COFFEE', ' '] }));
    const hours = [9, 10, 11, 12, 13, 14].map((h) => ms(`2026-11-24T${String(h).padStart(2, '0')}:00:00Z`));
    const series = (k: string) => rows.filter((r) => r.keyword === k).map((r) => [r.t, r.toots]);
    expect([...new Set(rows.map((r) => r.keyword))]).toEqual(['coffee', '0%', "l'h"]);
    expect(series('coffee')).toEqual(hours.map((t, i) => [t, [1, 0, 0, 0, 0, 1][i]]));
    expect(series('0%')).toEqual(hours.map((t, i) => [t, [2, 0, 0, 0, 0, 0][i]]));
    expect(series("l'h")).toEqual(hours.map((t, i) => [t, [0, 1, 0, 0, 0, 0][i]]));
    const underscore = await run<KeywordRow>(keywordsSql(f, { keywords: ['n_1', 'e_'] }));
    expect(underscore.filter((r) => r.toots > 0).map((r) => [r.keyword, r.t])).toEqual([['n_1', hours[0]]]);
  });

  it('counts per day across the whole collection and has no query without keywords', async () => {
    const rows = await run<KeywordRow>(keywordsSql({}, { keywords: ['coffee'], grain: 'day' }));
    expect(rows.map((r) => [new Date(r.t).toISOString().slice(0, 10), r.toots])).toEqual([
      ['2026-11-23', 2], ['2026-11-24', 3], ['2026-11-25', 0], ['2026-11-26', 1],
    ]);
    expect(keywordsSql({}, { keywords: ['  ', ''] })).toBeNull();
    expect(cleanKeywords(['a', 'A', ' b ', ...'cdefghijk'])).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});

describe('7. activity over time per instance', () => {
  it('rolls up by day per author instance, top N + other, with a 2-day rolling mean', async () => {
    const rows = await run<ActivityRow>(activitySql({}, { grain: 'day', by: 'from_instance', topN: 2, windowMinutes: 2 * 1440 }));
    const days = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26'].map((d) => ms(`${d}T00:00:00Z`));
    const expectSeries = (series: string, rank: number, toots: number[], rolling: number[]) =>
      days.map((t, i) => ({ t, series, rank, toots: toots[i], rolling: rolling[i] }));
    expect(rows).toEqual([
      ...expectSeries('b.example', 1, [3, 10, 0, 0], [3, 6.5, 5, 0]),
      ...expectSeries('a.example', 2, [5, 4, 0, 1], [5, 4.5, 2, 0.5]),
      ...expectSeries('other', 3, [2, 4, 0, 1], [2, 3, 2, 0.5]),
    ]);
  });

  it('rolls up by hour per collecting instance (base_url) inside a time filter', async () => {
    const f = { from: ms('2026-11-23T00:00:00Z'), to: ms('2026-11-24T00:00:00Z') };
    const rows = await run<ActivityRow>(activitySql(f, { grain: 'hour', by: 'base_url', topN: 1, windowMinutes: 120 }));
    const hours = [10, 11, 12, 13].map((h) => ms(`2026-11-23T${h}:00:00Z`));
    expect(rows.map((r) => [r.series, r.t, r.toots, r.rolling])).toEqual([
      ...hours.map((t, i) => [A, t, [3, 3, 0, 0][i], [3, 3, 1.5, 0][i]]),
      ...hours.map((t, i) => ['other', t, [0, 1, 0, 3][i], [0, 0.5, 0.5, 1.5][i]]),
    ]);
  });

  it('rolls up by week and by minute, and a 15-minute window spans 15 one-minute buckets', async () => {
    const weeks = await run<ActivityRow>(activitySql({}, { grain: 'week', by: 'from_instance', topN: 5 }));
    expect(weeks.map((r) => [new Date(r.t).toISOString().slice(0, 10), r.series, r.toots])).toEqual([
      ['2026-11-23', 'b.example', 13], ['2026-11-23', 'a.example', 10], ['2026-11-23', 'c.example', 7],
    ]);
    const minutes = await run<ActivityRow>(activitySql({ languages: ['es'] }, { grain: 'minute', by: 'from_instance', windowMinutes: 15 }));
    expect(minutes).toHaveLength(51);
    expect(minutes.filter((r) => r.toots > 0).map((r) => r.rolling)).toEqual([1, 2 / 11, 2 / 15, 2 / 15, 2 / 15, 2 / 15].map((v) => expect.closeTo(v, 12)));
  });

  it('draws the person’s groups of instances as one series each (the notebook’s origins)', async () => {
    const { groups, errors } = parseInstanceGroups('ab: a.example, https://b.example/\nnot a line\nx: bad host!');
    expect(groups).toEqual({ 'a.example': 'ab', 'b.example': 'ab' });
    expect(errors).toEqual([
      'Line 2: write it as “name: host, host” (a name of at most 60 characters).',
      'Line 3: “bad host!” is not an instance\'s address.',
    ]);
    // Weekly totals above: b 13, a 10, c 7. Grouped, a and b are one series of 23, by author's
    // instance and by the instance collected from (base_url, A and B) alike.
    const weeks = await run<ActivityRow>(activitySql({}, { grain: 'week', by: 'from_instance', topN: 5, groups }));
    expect(weeks.map((r) => [r.series, r.toots])).toEqual([[`${GROUP_PREFIX}ab`, 23], ['c.example', 7]]);
    // The dashboard reads the same from the hourly cube.
    expect(await run<ActivityRow>(cubeActivitySql({}, { grain: 'week', by: 'from_instance', topN: 5, groups })!)).toEqual(weeks);
    const collected = await run<ActivityRow>(activitySql({}, { grain: 'week', by: 'base_url', topN: 5, groups }));
    expect(collected.map((r) => [r.series, r.toots])).toEqual([[`${GROUP_PREFIX}ab`, 25], [C, 5]]);
    // A name with a quote stays a name.
    const quoted = await run<ActivityRow>(activitySql({}, { grain: 'week', by: 'from_instance', topN: 5, groups: { 'c.example': "o'c" } }));
    expect(quoted.map((r) => r.series)).toContain(`${GROUP_PREFIX}o'c`);
  });

  it('splits by the feeds the rows follow: a toot counts in every feed that would deliver it, and in none that would not', async () => {
    const feeds: Array<[string, StreamChannel]> = [[A, 'public'], [A, 'public/local'], [A, 'public/remote'], [A, '#fedi'], [A, '#coffee/local'], [B, '#fedi'], [C, '#nothing']];
    const options = { grain: 'week' as const, by: 'feed' as const, topN: 20, feeds: feeds.map(([b, c]) => ({ key: `${FEED_PREFIX}${b} ${c}`, where: feedWhereSql(b, c) })) };
    const rows = await run<ActivityRow>(activitySql({}, options));
    // Ground truth from the posts themselves, as each feed's server would pick them.
    const truth = new Map<string, number>();
    for (const [b, c] of feeds) {
      const ch = channelOf(c);
      const host = new URL(b).host;
      const n = SPECS.filter(([, acct, , , tags, , base]) => {
        const local = acct.split('@')[1] === host;
        if (base !== b) return false;
        if (ch.kind === 'public') return ch.side === 'all' || (ch.side === 'local') === local;
        return hasTag(ch, tags.map((name) => ({ name }))) && (!ch.local || local);
      }).length;
      if (n) truth.set(`${FEED_PREFIX}${b} ${c}`, n);
    }
    expect(new Map(rows.map((r) => [r.series, r.toots]))).toEqual(truth);
    expect(truth.get(`${FEED_PREFIX}${A} #fedi`)).toBe(3); // rows 1, 3 and 29: 'Fedi' counts, a remote author counts
    expect(truth.get(`${FEED_PREFIX}${A} public`)).toBe(truth.get(`${FEED_PREFIX}${A} public/local`)! + truth.get(`${FEED_PREFIX}${A} public/remote`)!);
    // A server that names its accounts under a domain of its own (LOCAL_DOMAIN): b.example's
    // authors count as local to A when A says its domain is b.example.
    const split = await run<ActivityRow>(activitySql({}, { ...options, feeds: [{ key: 'l', where: feedWhereSql(A, 'public/local', 'b.example') }] }));
    expect(split.map((r) => r.toots)).toEqual([SPECS.filter(([, acct, , , , , base]) => base === A && /@[ab]\.example$/.test(acct)).length]);
    // The hourly cube keeps no hashtags per hour: the chart asks the raw rows.
    expect(cubeActivitySql({}, options)).toBeNull();
    // No feed followed: nothing to draw, not everything as "other".
    expect(await run<ActivityRow>(activitySql({}, { ...options, feeds: [] }))).toEqual([]);
  });

  it('reports the span the grain and window are chosen from', async () => {
    expect(await run<SpanRow>(spanSql({}))).toEqual([{ toots: 30, first: ms('2026-11-23T10:05:00Z'), last: ms('2026-11-26T08:30:00Z') }]);
    expect(await run<SpanRow>(spanSql({ languages: ['xx'] }))).toEqual([{ toots: 0, first: null, last: null }]);
  });
});

describe('8. hashtags', () => {
  it('counts posts per lowercased tag, a repeated tag once', async () => {
    expect(await run<HashtagRow>(hashtagsSql({}))).toEqual([
      { tag: 'fedi', toots: 6 }, { tag: 'coffee', toots: 2 }, { tag: 'news', toots: 2 }, { tag: 'weather', toots: 2 },
    ]);
  });
});

describe('9. federation overlap', () => {
  it('gives both |A∩B|/|A∪B| and |A∩B|/min for every pair of collecting instances', async () => {
    const rows = await run<OverlapRow>(overlapSql({}));
    const get = (a: string, b: string) => rows.find((r) => r.a === a && r.b === b);
    expect(rows).toHaveLength(9);
    expect([...new Set(rows.map((r) => r.a))]).toEqual([A, B, C]);
    expect(get(A, A)).toEqual({ a: A, b: A, na: 16, nb: 16, both: 16, jaccard: 1, overlap_min: 1 });
    expect(get(A, B)).toEqual({ a: A, b: B, na: 16, nb: 11, both: 2, jaccard: 0.08, overlap_min: expect.closeTo(2 / 11, 12) });
    expect(get(C, A)).toEqual({ a: C, b: A, na: 8, nb: 16, both: 2, jaccard: expect.closeTo(2 / 22, 12), overlap_min: 0.25 });
    expect(get(B, C)).toEqual({ a: B, b: C, na: 11, nb: 8, both: 2, jaccard: expect.closeTo(2 / 17, 12), overlap_min: 0.25 });
    const top2 = await run<OverlapRow>(overlapSql({}, { limit: 2 }));
    expect(top2.map((r) => [r.a, r.b])).toEqual([[A, A], [A, B], [B, A], [B, B]]);
  });
});
