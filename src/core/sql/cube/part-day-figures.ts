/**
 * The daily table's author figures for the part days a brush leaves at its two ends, kept per
 * UTC day: for every whole hour k of the day, the hours before it (`[0, k)`) and the hours from
 * it on (`[k, 24)`). A drag across the activity chart snaps to whole hours over a span of days
 * (src/charts/brush-snap.ts), so its two part days are one of these each, and the unfiltered
 * brushed daily table becomes a lookup. Summing `agg_day_acct`'s hours over every author of the
 * two days and ranking them took 47–52 ms of a brushed round of 106–164 at 1.6 M toots in the
 * browser (docs/BENCHMARKS.md), 104 of 183 at 10 M.
 *
 * They are computed with the other kept figures (cubes.ts `keepDays`), for a day once it has
 * them and no fold has made it stale since, from the day's `agg_day_acct` cells: the most posts
 * in each of the 46 spans, then the first name A→Z among the few cells that reach one of them;
 * the users from the first and last hour each author posted in.
 */

export const PART_DAY_TABLE = 'daily_authors_part';
/** A span of whole hours `[h_from, h_to)` of the day `ts`, and its figures as `daily_authors` has them. */
export const PART_DAY_COLUMNS = 'ts TIMESTAMP, h_from INTEGER, h_to INTEGER, users INTEGER, top_user VARCHAR, top_user_toots INTEGER, top_bot VARCHAR, top_bot_toots INTEGER';

/**
 * The same per language: a brush with a click on one language read its two part days from the
 * language's rows, 124 ms of a 194 ms round in the browser at 10 M toots (about 1.9 M rows of
 * which a third in the language). Computed once a day with the others, from the day's rows.
 */
export const LANG_PART_DAY_TABLE = 'daily_authors_part_lang';
export const LANG_PART_DAY_COLUMNS = PART_DAY_COLUMNS.replace('ts TIMESTAMP, ', 'ts TIMESTAMP, language VARCHAR, ');

/** The spans kept: every `[0, k)` and `[k, 24)` for k = 1…23. */
export const PART_SPANS: ReadonlyArray<readonly [from: number, to: number]> = Array.from({ length: 23 }, (_, i) => i + 1)
  .flatMap((k) => [[0, k], [k, 24]] as const);

/** `agg_day_acct`'s posts in the hours `[from, to)` (cubes.ts `HOUR_COLUMNS`). */
const posts = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `h${from + i}`).join(' + ');
const span = (from: number, to: number) => `w${from}_${to}`;
/** The first or the last hour a cell has posts in. */
const edgeHour = (first: boolean) => {
  const order = Array.from({ length: 24 }, (_, i) => (first ? i : 23 - i));
  return `CASE ${order.map((i) => `WHEN h${i} > 0 THEN ${i}`).join(' ')} END`;
};

/**
 * Rows `PART_DAY_COLUMNS` for every day of `cells` (a relation with `agg_day_acct`'s columns:
 * `ts, acct, bot, n, h0…h23`, one row per (day, author, bot)); with `by`, per day and value of
 * those key columns too (after `ts`), from cells that also have them (rows with a NULL key are
 * left out: no filter names one).
 */
export function partDayFigures(cells: string, by: readonly string[] = []): string {
  const ws = PART_SPANS.map(([a, b]) => span(a, b));
  const sums = PART_SPANS.map(([a, b]) => `(${posts(a, b)}) AS ${span(a, b)}`).join(', ');
  const key = ['ts', ...by].join(', ');
  const on = (x: string, y: string) => ['ts', ...by].map((k) => `${x}.${k} = ${y}.${k}`).join(' AND ');
  // Grouped by the bot flag rather than 92 filtered aggregates, which took ten times as long.
  const most = ws.map((w) => `max(${w}) AS m_${w}`).join(', ');
  // A span nobody of the kind posted in has a most of 0, which every cell would reach.
  const reach = ws.map((w) => `(c.${w} = m.m_${w} AND m.m_${w} > 0)`).join(' OR ');
  const names = ws.map((w) => `min(acct) FILTER (WHERE ${w} = m_${w}) AS t_${w}`).join(', ');
  const users = PART_SPANS.map(([a, b]) => `sum(n) FILTER (WHERE ${a === 0 ? `edge = 'first' AND h < ${b}` : `edge = 'last' AND h >= ${a}`})::INTEGER AS n_${span(a, b)}`).join(', ');
  const grid = PART_SPANS.map(([a, b]) => `('${span(a, b)}', ${a}, ${b})`).join(', ');
  // Each wide row (a column per span) as one row per span: one join per table, where a SELECT
  // per span took 150 ms to plan and run.
  const long = (rel: string, prefix: string, value: string) =>
    `(SELECT * EXCLUDE (k), substr(k, ${prefix.length + 1}) AS w FROM (UNPIVOT ${rel} ON COLUMNS('^${prefix}') INTO NAME k VALUE ${value}))`;
  const known = ['ts', ...by].map((k) => `${k} IS NOT NULL`).join(' AND ');
  return `WITH c AS MATERIALIZED (SELECT ${key}, acct, bot, ${sums}, ${edgeHour(true)} AS first_hour, ${edgeHour(false)} AS last_hour FROM (${cells}) WHERE n <> 0 AND ${known}),
m AS MATERIALIZED (SELECT ${key}, bot, ${most} FROM c WHERE bot IS NOT NULL GROUP BY ${key}, bot),
t AS (SELECT ${by.map((k) => `c.${k}, `).join('')}c.ts, c.bot, ${names} FROM (SELECT c.*, ${ws.map((w) => `m.m_${w}`).join(', ')} FROM c JOIN m ON ${on('m', 'c')} AND m.bot = c.bot WHERE ${reach}) c GROUP BY ${key}, bot),
a AS (SELECT ${key}, min(first_hour) AS first_hour, max(last_hour) AS last_hour FROM c WHERE acct IS NOT NULL GROUP BY ${key}, acct),
u AS (SELECT ${key}, ${users} FROM (SELECT ${key}, 'first' AS edge, first_hour AS h, count(*) AS n FROM a GROUP BY ALL
    UNION ALL SELECT ${key}, 'last', last_hour, count(*) FROM a GROUP BY ALL) GROUP BY ${key}),
ml AS MATERIALIZED ${long('m', 'm_', 'most')},
tl AS MATERIALIZED ${long('t', 't_', 'name')},
ul AS ${long('u', 'n_', 'users')},
g AS (SELECT ${by.map((k) => `d.${k}, `).join('')}d.ts, s.w, s.h_from, s.h_to FROM (SELECT DISTINCT ${key} FROM c) d CROSS JOIN (VALUES ${grid}) s(w, h_from, h_to))
SELECT g.ts, ${by.map((k) => `g.${k}, `).join('')}g.h_from, g.h_to, coalesce(ul.users, 0)::INTEGER AS users,
  CASE WHEN mu.most > 0 THEN tu.name END AS top_user, nullif(mu.most, 0)::INTEGER AS top_user_toots,
  CASE WHEN mb.most > 0 THEN tb.name END AS top_bot, nullif(mb.most, 0)::INTEGER AS top_bot_toots
FROM g LEFT JOIN ul ON ${on('ul', 'g')} AND ul.w = g.w
  LEFT JOIN ml mu ON ${on('mu', 'g')} AND mu.w = g.w AND NOT mu.bot LEFT JOIN ml mb ON ${on('mb', 'g')} AND mb.w = g.w AND mb.bot
  LEFT JOIN tl tu ON ${on('tu', 'g')} AND tu.w = g.w AND NOT tu.bot LEFT JOIN tl tb ON ${on('tb', 'g')} AND tb.w = g.w AND tb.bot`;
}
