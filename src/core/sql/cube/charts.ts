/**
 * Every default chart's query answered from the cubes (cubes.ts), giving the same rows as the
 * raw-row SQL in ../charts/ (which stays the oracle in test/unit/cube-charts.test.ts and the
 * fallback). Each is that query with `count(*)` over toots turned into `sum(n)` over cube cells;
 * the shape is kept on purpose so ties, NULL keys and empty results behave the same.
 *
 * A builder returns null where no cube holds what the chart needs, and the raw SQL answers:
 * minute buckets (activity over a span of a day or less), time zones whose offset is not a whole
 * number of hours (hour buckets cannot be shifted by it), and the daily table in a zone other
 * than UTC (distinct users per day are counted per UTC day).
 */
import { groupedKeySql } from '../charts/instance-groups';
import {
  bucketGridSql, GRAIN_MINUTES, grainGridSql, isGrain, OTHER_SERIES, shiftedTs, sqlInt, type ActivityOptions, type AppsOptions, type ChartFilters,
  type DailyOptions, type HashtagsOptions, type HourlyOptions, type LanguagesOptions, type LengthsOptions, type OverlapOptions,
  type SpanRow, type TimeGrain, whereSql,
} from '../charts';
import { filterConditions, sqlString } from '../charts/filters';
import { taggedOnly } from '../charts/languages';
import { whiskerFences } from '../charts/lengths';
import {
  AGG_DAY_ACCT, AGG_DAY_AUTHOR, AGG_DAY_LENGTH, AGG_DAY_LENGTH_LANG, AGG_DAY_LENGTH_SEEN, AGG_HOUR, AGG_HOUR_SEEN, AGG_HOUR_SOURCE, AGG_HOUR_TAG, AGG_HOUR_TAG_LANG, AGG_HOUR_TAG_SEEN, AUTHOR_FIGURES, countRows, instanceColumn, PAIR_TABLE, dayFiguresKept, pickCube, staleCells, staleDay, topKey as top, uncoveredDays, UNIT_MS, type FilterDim,
} from './cubes';
import { LANG_PART_DAY_TABLE, PART_DAY_TABLE } from './part-day-figures';
import { cubeSource, partDayCells, timeParts, where, type PartDay } from './source';

const offsetOf = (o: number | undefined) => sqlInt(o ?? 0, 0, 24 * 60);
/** Hour buckets shifted by the offset are still whole buckets. */
const wholeHours = (o: number | undefined) => offsetOf(o) % 60 === 0;

export function cubeActivitySql(filters: ChartFilters, options: ActivityOptions): string | null {
  const grain: TimeGrain = isGrain(options.grain) ? options.grain : 'hour';
  // Feeds are conditions on hashtags and authors, which the hourly cube does not keep.
  if (grain === 'minute' || !wholeHours(options.offsetMinutes) || options.by === 'feed') return null;
  const step = GRAIN_MINUTES[grain];
  const by = options.by === 'base_url' ? 'base_url' : 'from_instance';
  const topN = Math.max(1, sqlInt(options.topN ?? 8, 8, 100));
  const windowMinutes = sqlInt(options.windowMinutes ?? step, step, 10 * 366 * 1440);
  const preceding = Math.max(0, windowMinutes - step);
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_SOURCE, AGG_HOUR), filters)}),
t AS MATERIALIZED (SELECT date_trunc('${grain}', ${shiftedTs(options.offsetMinutes, 'ts')}) AS bucket, ${groupedKeySql(by, options.groups)} AS k, sum(n) AS n FROM f GROUP BY ALL),
top AS (SELECT k, row_number() OVER (ORDER BY sum(n) DESC, k) AS rank FROM t GROUP BY k ORDER BY rank LIMIT ${topN}),
s AS (SELECT t.bucket, coalesce(top.k, '${OTHER_SERIES}') AS series, coalesce(top.rank, ${topN + 1})::INTEGER AS rank, t.n
      FROM t LEFT JOIN top ON top.k = t.k),
keys AS (SELECT DISTINCT series, rank FROM s),
c AS (SELECT bucket, series, sum(n)::INTEGER AS n FROM s GROUP BY bucket, series),
b AS (${grainGridSql('bucket', 't', grain)}),
grid AS (SELECT b.bucket, keys.series, keys.rank, coalesce(c.n, 0)::INTEGER AS toots
         FROM b CROSS JOIN keys LEFT JOIN c ON c.bucket = b.bucket AND c.series = keys.series)
SELECT epoch_ms(bucket)::DOUBLE AS t, series, rank, toots,
  avg(toots) OVER (PARTITION BY series ORDER BY bucket
    RANGE BETWEEN INTERVAL (${preceding}) MINUTE PRECEDING AND CURRENT ROW)::DOUBLE AS rolling
FROM grid ORDER BY rank, bucket`;
}

/**
 * Toots under the filters and the hours of the first and the last: the exact first and last
 * times are then read from the raw rows of just those two hours (cubeSpanEdgesSql).
 */
export function cubeSpanSql(filters: ChartFilters): string {
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_SEEN, AGG_HOUR), filters)})
SELECT coalesce(sum(n), 0)::INTEGER AS toots, epoch_ms(min(ts))::DOUBLE AS first_hour, epoch_ms(max(ts))::DOUBLE AS last_hour FROM f`;
}

export interface CubeSpanRow {
  toots: number;
  first_hour: number | null;
  last_hour: number | null;
}

/** First and last post time under the filters, reading only the hours `cubeSpanSql` named. */
export function cubeSpanEdgesSql(filters: ChartFilters, firstHour: number, lastHour: number): string {
  const hour = (h: number) => ({ ...filters, from: Math.max(filters.from ?? -Infinity, h), to: Math.min(filters.to ?? Infinity, h + 3_600_000) });
  const edge = (agg: 'min' | 'max', h: number) =>
    `(SELECT epoch_ms(${agg}(created_ts))::DOUBLE FROM toot_store ${whereSql(hour(h))})`;
  return `SELECT ${edge('min', firstHour)} AS first, ${edge('max', lastHour)} AS last`;
}

export function cubeLanguagesSql(filters: ChartFilters, options: LanguagesOptions = {}): string {
  const limit = sqlInt(options.limit ?? 20, 20, 1000);
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_SEEN, AGG_HOUR), filters)}),
c AS (SELECT language AS code, sum(n)::INTEGER AS toots FROM f ${taggedOnly(options.unknown, 'language')} GROUP BY language),
s AS (SELECT code, toots, (toots / sum(toots) OVER ())::DOUBLE AS share FROM c)
SELECT s.code, coalesce(l.language_name, s.code) AS name, s.toots, s.share
FROM s LEFT JOIN language l ON l.lang_iso = s.code
ORDER BY s.toots DESC, s.code LIMIT ${limit}`;
}

export function cubeHourlySql(filters: ChartFilters, options: HourlyOptions = {}): string | null {
  if (!wholeHours(options.offsetMinutes)) return null;
  const maxDays = sqlInt(options.maxDays ?? 14, 14, 10_000);
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_SEEN, AGG_HOUR), filters)}),
t AS MATERIALIZED (SELECT date_trunc('hour', ${shiftedTs(options.offsetMinutes, 'ts')}) AS h, sum(n) AS n FROM f GROUP BY ALL),
c AS (SELECT h, sum(n)::INTEGER AS n FROM t GROUP BY h),
b AS (${bucketGridSql('h', 't', 60)})
SELECT strftime(b.h, '%Y-%m-%d') AS day, hour(b.h)::INTEGER AS hour, coalesce(c.n, 0)::INTEGER AS toots
FROM b LEFT JOIN c ON c.h = b.h
WHERE b.h >= (SELECT max(h)::DATE FROM t) - INTERVAL (${Math.max(0, maxDays - 1)}) DAY
ORDER BY b.h`;
}

export function cubeAppsSql(filters: ChartFilters, options: AppsOptions = {}): string {
  const limit = sqlInt(options.limit ?? 10, 10, 1000);
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_SEEN, AGG_HOUR), filters)})
SELECT app, sum(n)::INTEGER AS toots FROM f
WHERE NOT bot AND app <> ''
GROUP BY app ORDER BY toots DESC, app LIMIT ${limit}`;
}

export function cubeHashtagsSql(filters: ChartFilters, options: HashtagsOptions = {}): string {
  const limit = sqlInt(options.limit ?? 20, 20, 1000);
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_TAG_LANG, AGG_HOUR_TAG_SEEN, AGG_HOUR_TAG), filters)})
SELECT tag, sum(n)::INTEGER AS toots FROM f
GROUP BY tag ORDER BY toots DESC, tag LIMIT ${limit}`;
}

/**
 * Days are formatted only at the end: strftime on every cell cost more than the rest. CTEs read
 * twice are MATERIALIZED, or DuckDB computes them once per reader.
 */
export function cubeDailySql(filters: ChartFilters, options: DailyOptions = {}): string | null {
  if (offsetOf(options.offsetMinutes) !== 0) return null;
  return `WITH h AS (${cubeSource(pickCube(filters, AGG_HOUR_SOURCE, AGG_HOUR), filters)}),
d AS MATERIALIZED (SELECT ts::DATE AS day, from_instance, base_url, sum(n) AS n FROM h GROUP BY ALL),
totals AS (SELECT day, sum(n)::INTEGER AS toots, count(DISTINCT from_instance)::INTEGER AS source_instances FROM d GROUP BY day),
collected AS (SELECT day, base_url, sum(n) AS n FROM d GROUP BY ALL),
c AS (SELECT day, ${top('base_url', 'TRUE')} AS k, max(n)::INTEGER AS n FROM collected GROUP BY day),
authors AS (${dailyAuthorsSql(filters)})
SELECT strftime(totals.day, '%Y-%m-%d') AS day, totals.toots, coalesce(authors.users, 0)::INTEGER AS users, totals.source_instances,
  authors.top_user, authors.top_user_toots, authors.top_bot, authors.top_bot_toots, c.k AS top_collected, c.n AS top_collected_toots
FROM totals
LEFT JOIN authors ON authors.day = totals.day
LEFT JOIN c ON c.day = totals.day
ORDER BY totals.day`;
}

/**
 * The author figures per day from cells `ts, acct, bot, n` (more columns allowed). The cells are
 * summed per (day, author, bot) once and everything about authors is one aggregate over that: a
 * window ranking every (day, author) took most of the time.
 */
const authorsOf = (cells: string) =>
  `SELECT day, ${AUTHOR_FIGURES} FROM (SELECT ts::DATE AS day, acct, bot, sum(n) AS n FROM (${cells}) GROUP BY ALL) GROUP BY day`;
/** The same from cells already one per (day, author, bot), as a day cube's are: summing them again took a quarter of the time. */
const authorsOfCells = (cells: string) => `SELECT ts::DATE AS day, ${AUTHOR_FIGURES} FROM (${cells}) GROUP BY day`;
/** The same columns read from a table of kept figures (`daily_authors` and the others of cubes.ts). */
const KEPT_FIGURES = 'SELECT ts::DATE AS day, users, top_user, top_user_toots, top_bot, top_bot_toots';

/** The instance and language values `filters` names ('' names nothing, as in filters.ts). */
const namedValues = (filters: ChartFilters) => ({
  instances: (filters.instances ?? []).filter((v) => v !== ''),
  languages: (filters.languages ?? []).filter((v) => v !== ''),
});

/** The one filter value of `filters` that names a kept dimension (cubes.ts `daily_authors_by`), if that is all it filters on besides time. */
function singleValue(filters: ChartFilters): { dim: FilterDim; value: string } | null {
  const { instances, languages } = namedValues(filters);
  if (instances.length + languages.length !== 1) return null;
  if (languages.length) return { dim: 'language', value: languages[0]! };
  return { dim: instanceColumn(instances[0]!), value: instances[0]! };
}

/** One language and one instance (cubes.ts `PAIR_DIMS`), if that is all `filters` names besides time. */
function languageAndInstance(filters: ChartFilters): { dims: string; a: string; b: string } | null {
  const { instances, languages } = namedValues(filters);
  if (instances.length !== 1 || languages.length !== 1) return null;
  return { dims: `language+${instanceColumn(instances[0]!)}`, a: languages[0]!, b: instances[0]! };
}

/**
 * The daily table's author figures (day, users, top user and bot with their toots) under
 * `filters`. Unfiltered they are kept per day (cubes.ts `daily_authors`), and so they are for one
 * language or one instance (`daily_authors_by`), and for one language with one instance
 * (`daily_authors_pair`); days merged into since the figures were last refreshed (for a filter,
 * also the newest day while posts arrive) are counted from the cubes' cells. Under a time range
 * as well, the days wholly inside it are read so, and unfiltered the part days at its two ends
 * are read from the figures
 * kept per span of whole hours (`partDaysSql`) or summed from the hours `agg_day_acct` keeps
 * (only part hours from their rows): summing the per-author cube over every day in range took
 * most of a brushed round (301 ms of 518 at 1.6 M toots, native DuckDB on one thread), and
 * counting the part days from their rows then 48 ms of 108. Under one language the part days of
 * whole hours are read from that language's figures per span (`languagePartDaysSql`); under
 * another single value, from its rows. Any other filter sums the per-author cube.
 */
function dailyAuthorsSql(filters: ChartFilters): string {
  const dims = filterConditions({ instances: filters.instances, languages: filters.languages });
  const one = singleValue(filters);
  const pair = one ? null : languageAndInstance(filters);
  if (dims.length && !one && !pair) return authorsOf(cubeSource(AGG_DAY_AUTHOR, filters));
  // Unfiltered but for time, the part days are summed from `agg_day_acct`'s hours; its cells know
  // no other filter. Under one language, they are looked up where kept, when they are whole hours.
  const byLanguage = one?.dim === 'language' ? timeParts('day', filters, true) : null;
  const { whole, hours, edges } = byLanguage && !byLanguage.edges.length ? byLanguage : timeParts('day', filters, !dims.length);
  const parts: string[] = [];
  if (whole && (one || pair)) {
    const kept = one ? [`k.dim = '${one.dim}'`, `k.value = ${sqlString(one.value)}`] : [`k.dims = '${pair!.dims}'`, `k.a = ${sqlString(pair!.a)}`, `k.b = ${sqlString(pair!.b)}`];
    parts.push(`${KEPT_FIGURES} FROM ${one ? 'daily_authors_by' : PAIR_TABLE} k ${where([...whole, ...kept, dayFiguresKept('k')])}`);
    // A NULL day is never kept; its own branch, since `IN … OR …` scanned the whole cube (a mark
    // join), where a semi join on no days scans nothing.
    const cells = (day: string) => `SELECT ts, acct, bot, n FROM ${AGG_DAY_AUTHOR.table} ${where([...whole, ...dims, day])}`;
    parts.push(authorsOf(`${cells(`ts IN (${uncoveredDays})`)} UNION ALL ${cells('ts IS NULL')}`));
  } else if (whole) {
    parts.push(`${KEPT_FIGURES} FROM daily_authors k ${where([...whole, `NOT ${staleDay('k')}`])}`);
    parts.push(authorsOf(`SELECT ts, acct, bot, n FROM ${staleCells(AGG_DAY_ACCT.table)} ${where(whole)}`));
  }
  // Under a filter, part days of whole hours come only from `byLanguage`.
  if (byLanguage && hours.length) parts.push(...languagePartDaysSql(one!.value, hours, dims));
  else if (hours.length && !edges.length) parts.push(...partDaysSql(hours));
  const summed = hours.map((p) => partDayCells(AGG_DAY_ACCT, p, []));
  const counted = edges.map((span) => countRows(AGG_DAY_ACCT, 'toot_store', where([...span, ...dims])));
  // Each part day's hours are a day of their own; a part hour is mostly of the same day as some.
  if (counted.length) parts.push(authorsOf([...summed, ...counted].join('\nUNION ALL ')));
  return parts.length ? parts.join('\nUNION ALL ') : authorsOf(`SELECT ts, acct, bot, n FROM ${AGG_DAY_ACCT.table} WHERE FALSE`);
}

/** Which hour of its day time `t` is, for a part day `p`. */
const hourOf = (t: number, p: PartDay) => (t - p.day) / UNIT_MS.hour;
/** Whether part day `p` is one of the spans kept per day (part-day-figures.ts `PART_SPANS`): the hours before or from an hour of its day. */
const keptSpan = (p: PartDay) => hourOf(p.from, p) === 0 || hourOf(p.to, p) === 24;
/** The row of a kept span `p` in a table of part-day figures (alias `k`). */
const spanRow = (p: PartDay) => `k.ts = epoch_ms(${p.day}) AND k.h_from = ${hourOf(p.from, p)} AND k.h_to = ${hourOf(p.to, p)}`;

/**
 * The author figures of part days of whole hours, unfiltered: read from `daily_authors_part`
 * where a part day is one of the spans it keeps (the hours before or from an hour of a day,
 * as a brush's ends are) and its day's figures are kept and not stale; the other part days are
 * summed from `agg_day_acct`'s hours. A part day read from the table makes its sum's scan empty
 * (a semi join on nothing). The one-aggregate figures for those (cubes.ts `AUTHOR_FIGURES`): with
 * both ends kept, the brushed daily table took 9.1 ms against 12.5 with `authorFigures`, whose
 * joins cost more than they save over no cells (native DuckDB, one thread, 1.6 M toots); it
 * was 24 ms before the table.
 */
function partDaysSql(hours: PartDay[]): string[] {
  const kept = (p: PartDay) => `${spanRow(p)} AND NOT ${staleDay('k')}`;
  const lookups = hours.filter(keptSpan).map((p) => `(${kept(p)})`);
  const summed = hours.map((p) => partDayCells(AGG_DAY_ACCT, p, keptSpan(p)
    ? [`ts IN (SELECT epoch_ms(${p.day}) EXCEPT SELECT k.ts FROM ${PART_DAY_TABLE} k WHERE ${kept(p)})`]
    : []));
  return [
    ...(lookups.length ? [`${KEPT_FIGURES} FROM ${PART_DAY_TABLE} k WHERE ${lookups.join(' OR ')}`] : []),
    authorsOfCells(summed.join('\nUNION ALL ')),
  ];
}

/**
 * The author figures of part days of whole hours under one language: looked up in the figures
 * kept per language and span (`daily_authors_part_lang`) where the span is kept and its day's
 * figures are kept and not stale (`dayFiguresKept`); the other part days are counted
 * from the language's rows of those hours. A part day looked up makes its count's scan empty
 * (a semi join on no day), where the count from the rows took 124 ms of a 194 ms round in the
 * browser at 10 M toots.
 */
function languagePartDaysSql(language: string, hours: PartDay[], dims: string[]): string[] {
  const dayKept = (p: PartDay) => `SELECT k.ts FROM ${PART_DAY_TABLE} k WHERE k.ts = epoch_ms(${p.day}) AND NOT ${staleDay('k')}`;
  const lookups = hours.filter(keptSpan).map((p) => `(${spanRow(p)} AND ${dayFiguresKept('k')})`);
  const counted = hours.map((p) => countRows(AGG_DAY_ACCT, 'toot_store', where([
    `created_ts >= epoch_ms(${p.from})`, `created_ts < epoch_ms(${p.to})`, ...dims,
    ...(keptSpan(p) ? [`date_trunc('day', created_ts)::TIMESTAMP IN (SELECT epoch_ms(${p.day}) EXCEPT ${dayKept(p)})`] : []),
  ])));
  return [
    ...(lookups.length ? [`${KEPT_FIGURES} FROM ${LANG_PART_DAY_TABLE} k WHERE k.language = ${sqlString(language)} AND (${lookups.join(' OR ')})`] : []),
    authorsOf(counted.join('\nUNION ALL ')),
  ];
}

/**
 * Quartiles read off each language's cumulative histogram in one pass: the position of quartile
 * p among a language's n posts is (n − 1)·p, between the lengths at its floor and its ceiling.
 * DOUBLE, not DECIMAL, positions: (n − 1)·p is exact in binary for these p, and the DECIMAL
 * arithmetic of the raw-row query (../charts/lengths.ts, the oracle) cost a sixth of the time.
 */
export function cubeLengthsSql(filters: ChartFilters, options: LengthsOptions = {}): string {
  const limit = sqlInt(options.limit ?? 20, 20, 1000);
  const fence = whiskerFences(options.whis);
  const ends = (p: number, i: number) => `(toots - 1) * ${p}::DOUBLE AS rn${i},
    min(c) FILTER (WHERE upto > floor((toots - 1) * ${p}::DOUBLE)) AS lo${i}, min(c) FILTER (WHERE upto > ceil((toots - 1) * ${p}::DOUBLE)) AS hi${i}`;
  const at = (i: number) => `lo${i}::DOUBLE + (rn${i} - floor(rn${i})) * (hi${i} - lo${i})`;
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_DAY_LENGTH_LANG, AGG_DAY_LENGTH_SEEN, AGG_DAY_LENGTH), filters)}),
h AS MATERIALIZED (SELECT language, characters AS c, sum(n)::BIGINT AS n FROM f ${taggedOnly(options.unknown, 'language')} GROUP BY ALL),
top AS (SELECT language, toots, row_number() OVER (ORDER BY toots DESC, language) AS rk
        FROM (SELECT language, sum(n)::INTEGER AS toots FROM h GROUP BY language) ORDER BY rk LIMIT ${limit}),
cum AS MATERIALIZED (SELECT h.language, h.c, h.n, top.toots, sum(h.n) OVER (PARTITION BY top.rk ORDER BY h.c)::BIGINT AS upto
        FROM h JOIN top ON top.language = h.language),
e AS (SELECT language, toots, ${ends(0.25, 1)}, ${ends(0.5, 2)}, ${ends(0.75, 3)} FROM cum GROUP BY language, toots),
s AS (SELECT language, toots, ${at(1)} AS q1, ${at(2)} AS median, ${at(3)} AS q3 FROM e),
w AS (SELECT s.language, min(cum.c)::DOUBLE AS min, max(cum.c)::DOUBLE AS max,
        min(cum.c) FILTER (WHERE cum.c >= ${fence.lo})::DOUBLE AS whisker_lo,
        max(cum.c) FILTER (WHERE cum.c <= ${fence.hi})::DOUBLE AS whisker_hi,
        coalesce(sum(cum.n) FILTER (WHERE cum.c < ${fence.lo} OR cum.c > ${fence.hi}), 0)::INTEGER AS outliers
      FROM cum JOIN s ON s.language = cum.language GROUP BY s.language)
SELECT s.language AS code, coalesce(l.language_name, s.language) AS name, s.toots,
  w.min, s.q1, s.median, s.q3, w.max, w.whisker_lo, w.whisker_hi, w.outliers
FROM s JOIN w ON w.language = s.language
LEFT JOIN language l ON l.lang_iso = s.language
ORDER BY s.toots DESC, s.language`;
}

/** Posts per set of collecting instances first: a handful of sets, whatever the number of toots. */
export function cubeOverlapSql(filters: ChartFilters, options: OverlapOptions = {}): string {
  const limit = sqlInt(options.limit ?? 12, 12, 200);
  return `WITH f AS (${cubeSource(pickCube(filters, AGG_HOUR_SEEN, AGG_HOUR), filters)}),
so AS MATERIALIZED (SELECT row_number() OVER () AS id, seen_on, n FROM (SELECT seen_on, sum(n) AS n FROM f GROUP BY seen_on)),
e AS (SELECT DISTINCT id, unnest(seen_on) AS inst, n FROM so),
sizes AS (SELECT inst, sum(n)::INTEGER AS n FROM e GROUP BY inst),
top AS (SELECT inst, n FROM sizes ORDER BY n DESC, inst LIMIT ${limit}),
te AS (SELECT e.id, e.inst, e.n FROM e JOIN top ON top.inst = e.inst),
pairs AS (SELECT x.inst AS a, y.inst AS b, sum(x.n)::INTEGER AS both FROM te x JOIN te y ON x.id = y.id GROUP BY x.inst, y.inst)
SELECT ta.inst AS a, tb.inst AS b, ta.n AS na, tb.n AS nb, coalesce(p.both, 0)::INTEGER AS both,
  (coalesce(p.both, 0) / (ta.n + tb.n - coalesce(p.both, 0)))::DOUBLE AS jaccard,
  (coalesce(p.both, 0) / least(ta.n, tb.n))::DOUBLE AS overlap_min
FROM top ta CROSS JOIN top tb LEFT JOIN pairs p ON p.a = ta.inst AND p.b = tb.inst
ORDER BY ta.n DESC, ta.inst, tb.n DESC, tb.inst`;
}

/** The span (spanSql's row) from the cube and the two hours at its ends. */
export async function cubeSpan(query: <T>(sql: string) => Promise<T[]>, filters: ChartFilters): Promise<SpanRow> {
  const [c] = await query<CubeSpanRow>(cubeSpanSql(filters));
  if (!c || c.first_hour === null || c.last_hour === null) return { toots: c?.toots ?? 0, first: null, last: null };
  const [e] = await query<{ first: number | null; last: number | null }>(cubeSpanEdgesSql(filters, c.first_hour, c.last_hour));
  return { toots: c.toots, first: e?.first ?? null, last: e?.last ?? null };
}
