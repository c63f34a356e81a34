/**
 * The dashboard's "data cube": small tables of counts, each keyed by a time bucket, the chart's
 * own dimensions and every dimension a cross-filter can name (author's instance, the instances a
 * post was collected from, language). A chart under any filter is then a GROUP BY over one of
 * them instead of a scan of `toot_store`, the way Mosaic answers linked views from pre-aggregated
 * indexes. They are kept exactly as the summary rollups are (rollups.ts): every change to
 * `toot_store` records its rows in `rollup_delta` (+1 added, −1 removed) and the fold adds the
 * delta in, in the same transaction; after a bulk load they are rebuilt from the table.
 *
 * Cells, demo toots spread over 6.9 days as the bench makes them (two collecting instances,
 * 150 k authors, 300 author instances), at 400 k toots (245 k tag uses) / 800 k toots:
 * agg_hour 170 k / 264 k, agg_day_author 265 k / 469 k, agg_day_length 283 k / 495 k,
 * agg_day_length_lang 64 k, agg_hour_tag 216 k / 406 k, agg_hour_tag_lang 106 k. Cells fill up
 * rather than multiply as the same days get denser. What no cube covers (keyword trends, minute
 * buckets, non-UTC days for the per-author figures, offsets that are not whole hours) is answered
 * from the raw rows (charts.ts).
 */

import { isCollectedFrom } from '../charts/filters';
import { authorFigures } from './author-figures';
import { LANG_PART_DAY_COLUMNS, LANG_PART_DAY_TABLE, PART_DAY_COLUMNS, PART_DAY_TABLE, partDayFigures } from './part-day-figures';
import { URI_KEYS } from '../schema';

export type CubeUnit = 'hour' | 'day';
export const UNIT_MS: Record<CubeUnit, number> = { hour: 3_600_000, day: 86_400_000 };

export interface Cube {
  table: string;
  /** The time bucket `ts` is `created_ts` truncated to this. */
  unit: CubeUnit;
  /** Key columns after `ts`, in table order, with their types. */
  keys: ReadonlyArray<readonly [string, string]>;
  /** The filter columns it carries (of `from_instance`, `seen_on`, `language`): the filters it can answer. */
  filters: readonly string[];
  /**
   * A day cube that also keeps each cell's count per UTC hour of the day (`h0`…`h23`, summing to
   * `n`): the part days at the ends of a time range are then summed from these (source.ts)
   * instead of counted from their raw rows.
   */
  hours?: boolean;
  /**
   * One row per contribution of a toot-shaped relation `rel` (filtered by `where`, over its own
   * column names): `ts`, the keys, and weight `w` (1 for a row, the delta's sign).
   */
  rows(rel: string, weight: string, where?: string): string;
}

/** The filter dimensions (filters.ts: `from_instance`, `seen_on`, `language`). */
type Keys = ReadonlyArray<readonly [string, string]>;
const ALL_FILTERS: Keys = [['from_instance', 'VARCHAR'], ['seen_on', 'VARCHAR[]'], ['language', 'VARCHAR']];
/** Without the author's instance, which multiplies a cube (300 instances in the demo). */
const COLLECTED_AND_LANGUAGE: Keys = [['seen_on', 'VARCHAR[]'], ['language', 'VARCHAR']];
const LANGUAGE_ONLY: Keys = [['language', 'VARCHAR']];
/** Without the language. */
const AUTHOR_AND_COLLECTED: Keys = [['from_instance', 'VARCHAR'], ['seen_on', 'VARCHAR[]']];
const NO_FILTERS: Keys = [];

function plain(table: string, unit: CubeUnit, filters: Keys, own: Cube['keys'], hours = false): Cube {
  const keys = [...filters, ...own];
  return {
    table, unit, keys, filters: filters.map(([k]) => k), hours,
    rows: (rel, weight, where = '') =>
      `SELECT date_trunc('${unit}', created_ts)::TIMESTAMP AS ts, ${keys.map(([k]) => k).join(', ')}, ${hours ? 'hour(created_ts) AS hr, ' : ''}${weight} AS w FROM ${rel} ${where}`,
  };
}

/** The hour columns of a cube that keeps them (`Cube.hours`), hour `i` of the day in `h{i}`. */
export const HOUR_COLUMNS = Array.from({ length: 24 }, (_, i) => `h${i}`);
const HOURS = HOUR_COLUMNS.map((_, i) => i);

/** Per hour: span, activity (both series kinds), hour of day, languages, apps, overlap, daily toots and instances. */
export const AGG_HOUR = plain('agg_hour', 'hour', ALL_FILTERS, [['base_url', 'VARCHAR'], ['app', 'VARCHAR'], ['bot', 'BOOLEAN']]);
/**
 * `agg_hour` without the author's instance, and without the language: what a chart reads when no
 * filter names that dimension. The author's instance multiplies `agg_hour` (284,734 cells at
 * 1.6 M bench toots; 55,298 without it, 48,395 without the language, app and bot), and under a
 * collecting instance or a brush every chart read all of it (the round 109 and 106 ms natively).
 */
export const AGG_HOUR_SEEN = plain('agg_hour_seen', 'hour', COLLECTED_AND_LANGUAGE, [['app', 'VARCHAR'], ['bot', 'BOOLEAN']]);
export const AGG_HOUR_SOURCE = plain('agg_hour_source', 'hour', AUTHOR_AND_COLLECTED, [['base_url', 'VARCHAR']]);

/** Per UTC day and author: the daily table's distinct users and most active user and bot. */
export const AGG_DAY_AUTHOR = plain('agg_day_author', 'day', ALL_FILTERS, [['acct', 'VARCHAR'], ['bot', 'BOOLEAN']]);
/** The same without the filter dimensions: what `daily_authors` is recomputed from, a day at a time. */
export const AGG_DAY_ACCT = plain('agg_day_acct', 'day', NO_FILTERS, [['acct', 'VARCHAR'], ['bot', 'BOOLEAN']], true);

/**
 * Per UTC day, language and length: the length box plots (a histogram, so quartiles stay exact).
 * The author's instance multiplies it (300 instances in the demo), so the view without an
 * instance filter, the one the page opens with, reads a copy without the instance columns.
 */
export const AGG_DAY_LENGTH = plain('agg_day_length', 'day', ALL_FILTERS, [['characters', 'INTEGER']]);
export const AGG_DAY_LENGTH_LANG = plain('agg_day_length_lang', 'day', LANGUAGE_ONLY, [['characters', 'INTEGER']], true);
/** And for a filter on the instances posts were collected from, which read 680 k cells of `agg_day_length` at 1.6 M toots. */
export const AGG_DAY_LENGTH_SEEN = plain('agg_day_length_seen', 'day', COLLECTED_AND_LANGUAGE, [['characters', 'INTEGER']]);

/** Per hour and hashtag, a tag repeated in one post once (as hashtags.ts counts); also without instances. */
function tagCube(table: string, filters: Keys): Cube {
  const cols = filters.map(([k]) => k).join(', ');
  return {
    table, unit: 'hour', keys: [...filters, ['tag', 'VARCHAR']], filters: filters.map(([k]) => k),
    rows: (rel, weight, where = '') => `SELECT date_trunc('hour', created_ts)::TIMESTAMP AS ts, ${cols}, tag, w
    FROM (SELECT created_ts, ${cols}, unnest(list_distinct(hashtags)) AS tag, ${weight} AS w FROM ${rel} ${where})
    WHERE tag <> ''`,
  };
}
export const AGG_HOUR_TAG = tagCube('agg_hour_tag', ALL_FILTERS);
export const AGG_HOUR_TAG_LANG = tagCube('agg_hour_tag_lang', LANGUAGE_ONLY);
export const AGG_HOUR_TAG_SEEN = tagCube('agg_hour_tag_seen', COLLECTED_AND_LANGUAGE);

/** The filter column an instance value names: `from_instance` for a host, `seen_on` for a base URL (filters.ts). */
export const instanceColumn = (v: string): 'from_instance' | 'seen_on' => (isCollectedFrom(v) ? 'seen_on' : 'from_instance');

/** The filter columns the instance values of `f` name. */
export function instanceColumns(f: { instances?: string[] }): string[] {
  return [...new Set((f.instances ?? []).filter((v) => v !== '').map(instanceColumn))];
}

/** Whether `cube` carries every column the instance and language filters of `f` name. */
export const canFilter = (cube: Cube, f: { instances?: string[]; languages?: string[] }): boolean =>
  [...instanceColumns(f), ...((f.languages ?? []).some((v) => v !== '') ? ['language'] : [])].every((k) => cube.filters.includes(k));

/** The smallest of `cubes` (smallest first) that holds the dimensions `f` filters on. */
export function pickCube(f: { instances?: string[]; languages?: string[] }, ...cubes: Cube[]): Cube {
  const c = cubes.find((x) => canFilter(x, f));
  if (!c) throw new Error('pickCube: no cube holds the filtered dimensions');
  return c;
}

/**
 * `agg_day_acct` per language: not a cube (no fold keeps it), only the cells the per-language
 * part-day figures are computed from, once a day, out of that day's rows (`keepDays`).
 */
const DAY_LANG_ACCT = plain('day_lang_acct', 'day', LANGUAGE_ONLY, [['acct', 'VARCHAR'], ['bot', 'BOOLEAN']], true);
const langPartDays = (rel: string) => partDayFigures(cubeCells(DAY_LANG_ACCT, rel), ['language']);

export const CUBES: readonly Cube[] = [
  AGG_HOUR, AGG_HOUR_SEEN, AGG_HOUR_SOURCE, AGG_DAY_AUTHOR, AGG_DAY_ACCT, AGG_DAY_LENGTH, AGG_DAY_LENGTH_LANG, AGG_DAY_LENGTH_SEEN, AGG_HOUR_TAG, AGG_HOUR_TAG_LANG, AGG_HOUR_TAG_SEEN,
];

/** A cube's time bucket and keys: what identifies a cell. */
export const columns = (c: Cube) => ['ts', ...c.keys.map(([k]) => k)];

/**
 * Cube rows (`Cube.rows`) summed per cell: `ts, keys…`, the weight as `${as}n`, and for each of
 * `hours` its part as `${as}h{i}` (the rows' hour is `hr`).
 */
const sumCells = (c: Cube, rows: string, as: '' | 'd', hours: readonly number[] = []): string =>
  `SELECT ${columns(c).join(', ')}, sum(w)::BIGINT AS ${as || 'n'}${hours
    .map((i) => `, coalesce(sum(w) FILTER (WHERE hr = ${i}), 0)::INTEGER AS ${as}${HOUR_COLUMNS[i]}`).join('')} FROM (${rows}) GROUP BY ALL`;

/** `ts, keys…, n`: a cube's rows counted from `rel` (raw rows, weight 1). */
export const countRows = (c: Cube, rel: string, where = ''): string => sumCells(c, c.rows(rel, '1', where), '');

/**
 * A cube's cells as it stores them, counted from `rel`: `countRows` and the hour columns of a cube
 * that keeps them. `count(*) FILTER` rather than `sumCells`' sums of a weight: 290–370 against
 * 410–520 ms for a day's per-language cells at 10 M toots (native DuckDB, one thread).
 */
export const cubeCells = (c: Cube, rel: string): string => (c.hours
  ? `SELECT ${columns(c).join(', ')}, count(*)::BIGINT AS n${HOURS.map((i) => `, count(*) FILTER (WHERE hr = ${i})::INTEGER AS ${HOUR_COLUMNS[i]}`).join('')} FROM (${c.rows(rel, '1')}) GROUP BY ALL`
  : countRows(c, rel));

/** `arg_min(key, (−n, key))`: the key with the most posts, ties to the first A→Z, as daily.ts ranks them. */
export const topKey = (key: string, where: string) => `arg_min(${key}, (-n, ${key})) FILTER (WHERE ${where})`;

/**
 * The daily table's author figures, aggregated per day over cells `acct, bot, n` that hold one
 * row per (author, bot) of the day: distinct users and the most active user and bot. One
 * aggregate: where the cells are few (a filtered cube's sum, the days awaiting a refresh, often
 * none) it costs less than `authorFigures`' joins (4.8 against 8.0 ms for the unfiltered daily
 * table with no stale day, 1.6 M bench toots, native DuckDB on one thread); where they are many
 * (a day's every author) `authorFigures` is faster.
 */
export const AUTHOR_FIGURES = `count(DISTINCT acct)::INTEGER AS users,
  ${topKey('acct', 'NOT bot')} AS top_user, max(n) FILTER (WHERE NOT bot)::INTEGER AS top_user_toots,
  ${topKey('acct', 'bot')} AS top_bot, max(n) FILTER (WHERE bot)::INTEGER AS top_bot_toots`;

/**
 * The author figures per UTC day for the unfiltered view, the one the page opens with.
 * Computing them from `agg_day_author` took most of the daily table's 287 ms at 1.6 M toots (the
 * only default chart over 50 ms); read from here, the whole table took 18–21 ms in a native probe
 * (docs/BENCHMARKS.md). The days a fold touched are recomputed from `agg_day_acct` later (`REFRESH_STALE`).
 */
const dailyAuthors = (from = 'agg_day_acct') => `SELECT * FROM ${authorFigures(`SELECT ts, acct, bot, n FROM ${from}`, ['ts'])}`;
/**
 * The same figures per day for each single value a cross-filter can name: one language, one
 * author's instance, one instance posts were collected from (`dim` is the filter column, `value`
 * its value). A click on a language summed `agg_day_author` over every matching cell, and so took
 * most of its round (84 of 152 ms at 1.6 M toots, native DuckDB on one thread; 235 of 418 ms for
 * a collecting instance); read from here it is a lookup of a few rows a day. Two values, or two
 * kinds of filter together, still sum the cube: distinct users do not add up across values.
 * Kept once a day, as the pair figures below are: refreshed at every row group of the day being
 * collected it took most of a refresh at 10 M toots (410 ms, 34.5 s of an ingest), and the
 * charts count the days without them from the cells (`uncoveredDays`).
 */
export const FILTER_DIMS = ['language', 'from_instance', 'seen_on'] as const;
export type FilterDim = (typeof FILTER_DIMS)[number];
const dimValue: Record<FilterDim, string> = {
  language: 'language',
  from_instance: 'from_instance',
  // A post collected from several instances counts for each, once (as list_contains filters it).
  seen_on: 'unnest(list_distinct(seen_on))',
};
const dailyAuthorsBy = (from = 'agg_day_author') =>
  FILTER_DIMS.map((dim) => `SELECT '${dim}' AS dim, value, ts, users, top_user, top_user_toots, top_bot, top_bot_toots
    FROM ${authorFigures(`SELECT ts, value, acct, bot, sum(n) AS n FROM (SELECT ts, ${dimValue[dim]} AS value, acct, bot, n FROM ${from}) GROUP BY ALL`, ['ts', 'value'])}`).join('\nUNION ALL ');

/**
 * And for one language with one instance (an author's or a collecting one), the only two filters
 * that narrow each other: several instances, or several languages, are either. Summing
 * `agg_day_author` over the cells of both took 36–38 ms of a 97–111 ms round in the browser at
 * 1.6 M toots. Kept for the days the part-day figures are (`partsMissing`): once a day, not at
 * every row group of the day being collected, which the charts count from the cells meanwhile
 * (`uncoveredDays`).
 */
export const PAIR_DIMS = [['language', 'from_instance'], ['language', 'seen_on']] as const;
const dailyAuthorsPair = (from = 'agg_day_author') =>
  PAIR_DIMS.map(([x, y]) => `SELECT '${x}+${y}' AS dims, a, b, ts, users, top_user, top_user_toots, top_bot, top_bot_toots
    FROM ${authorFigures(`SELECT ts, a, b, acct, bot, sum(n) AS n FROM (SELECT ts, ${dimValue[x]} AS a, ${dimValue[y]} AS b, acct, bot, n FROM ${from})
      WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY ALL`, ['ts', 'a', 'b'])}`).join('\nUNION ALL ');
export const PAIR_TABLE = 'daily_authors_pair';

/**
 * Days whose kept figures (`daily_authors`, `daily_authors_by`) are out of date: each fold adds
 * the days its delta touched, and `REFRESH_STALE` recomputes them at a row group's checkpoint
 * or when merges pause (TootTable.refreshKept). The charts count those
 * days from the cubes meanwhile (charts.ts). Recomputing them in every fold took 280 ms a merge
 * in the browser at 1.6 M toots, a sixth of ingest.
 */
const STALE = 'authors_stale';
/** The row of `alias` is of a stale day (NULL too: a post without a time is a day of its own, as in GROUP BY). */
export const staleDay = (alias: string) => `EXISTS (SELECT 1 FROM ${STALE} s WHERE s.ts IS NOT DISTINCT FROM ${alias}.ts)`;
/**
 * The cells of `table` on stale days, as a relation `c`. A join on `=` rather than `staleDay`:
 * DuckDB then narrows the scan of the cube to the stale days' range, and skips it when none is
 * stale (22 and 11 ms against 40 and 37 for the daily table under a language filter at 1.6 M
 * toots, native DuckDB on one thread). The NULL day, which `=` cannot match, is its own part.
 */
export const staleCells = (table: string) => `(SELECT c.* FROM ${STALE} s JOIN ${table} c ON c.ts = s.ts
    UNION ALL SELECT c.* FROM ${table} c WHERE c.ts IS NULL AND EXISTS (SELECT 1 FROM ${STALE} WHERE ts IS NULL)) c`;

const FIGURES = 'ts TIMESTAMP, users INTEGER, top_user VARCHAR, top_user_toots INTEGER, top_bot VARCHAR, top_bot_toots INTEGER';
/** Every dashboard table (`CUBE_TABLES`, in order) and its columns. */
const DASHBOARD_TABLES: Array<[table: string, columns: string]> = [
  ...CUBES.map((c): [string, string] => [c.table, `ts TIMESTAMP, ${c.keys.map(([k, t]) => `${k} ${t}`).join(', ')}, n BIGINT${c.hours ? HOUR_COLUMNS.map((h) => `, ${h} INTEGER`).join('') : ''}`]),
  ['daily_authors', FIGURES],
  ['daily_authors_by', `dim VARCHAR, value VARCHAR, ${FIGURES}`],
  [PART_DAY_TABLE, PART_DAY_COLUMNS],
  [LANG_PART_DAY_TABLE, LANG_PART_DAY_COLUMNS],
  [PAIR_TABLE, `dims VARCHAR, a VARCHAR, b VARCHAR, ${FIGURES}`],
  [STALE, 'ts TIMESTAMP'],
];
/** Every table the dashboard reads, the cubes and the figures kept per day from them. */
export const CUBE_TABLES = DASHBOARD_TABLES.map(([t]) => t);
/** Their columns, as `table.column`. */
const DASHBOARD_COLUMNS = DASHBOARD_TABLES.flatMap(([t, cols]) => cols.split(', ').map((d) => `${t}.${d.split(' ')[0]}`));
/**
 * How many columns they have in all. `CUBES_PRESENT_SQL` counts those a file's tables have, less
 * any other: a file whose cubes have other columns (kept by an older Tootscope) has them rebuilt.
 */
export const CUBE_COLUMNS = DASHBOARD_COLUMNS.length;
export const CREATE_CUBES = DASHBOARD_TABLES.map(([t, cols]) => `CREATE TABLE IF NOT EXISTS ${t} (${cols})`);

export const REBUILD_CUBES = [
  // Not sorted by time, though the folds' scans would skip more: the filtered charts' queries took
  // 20-40 % longer over cells in time order (native DuckDB, 1.6 M toots; docs/BENCHMARKS.md).
  ...CUBES.map((c) => `CREATE OR REPLACE TABLE ${c.table} AS ${cubeCells(c, 'toot_store')}`),
  `CREATE OR REPLACE TABLE daily_authors AS ${dailyAuthors()}`,
  `CREATE OR REPLACE TABLE daily_authors_by AS ${dailyAuthorsBy()}`,
  `CREATE OR REPLACE TABLE ${PAIR_TABLE} AS ${dailyAuthorsPair()}`,
  `CREATE OR REPLACE TABLE ${PART_DAY_TABLE} AS ${partDayFigures('SELECT * FROM agg_day_acct')}`,
  `CREATE OR REPLACE TABLE ${LANG_PART_DAY_TABLE} AS ${langPartDays('toot_store')}`,
  `CREATE OR REPLACE TABLE ${STALE} (ts TIMESTAMP)`,
];

/**
 * Adds `rollup_delta` into each cube in place, dropping cells that reach zero; NULL is a key like
 * any other, as in GROUP BY. Except the time bucket: a post always has a time (normalize.ts
 * refuses one without, and so does an import), and matching it with `=` lets DuckDB push the
 * delta's time range into the scan of the cube. The folds append cells as time goes on, so a
 * fold reads the few row groups of the hours or days it touches: the nine folds took 60-80 ms
 * instead of 265 for an 8,332-row delta at 1.6 M toots (native DuckDB, one thread).
 */
export function foldCubes(hours: readonly number[] = HOURS): string[] {
  return [
    ...CUBES.map((c) => {
      const cols = columns(c);
      // Only the hours the delta has posts in: summing and updating all 24 took three times
      // as long as the fold without them (agg_day_acct, a 10 k-row merge at 1.6 M toots, native
      // DuckDB), and a merge of new posts is mostly of one hour. A post moved to another hour of
      // the same day leaves `d` 0 and two hours changed: kept by the update, as the cell stays.
      // Its hours are all 0 when its `n` is: the cell goes.
      const changed = c.hours ? hours : [];
      const inserted = c.hours ? HOUR_COLUMNS.map((h, i) => (hours.includes(i) ? `s.d${h}` : '0')) : [];
      return `MERGE INTO ${c.table} r
    USING (${sumCells(c, c.rows('rollup_delta', 'sign'), 'd', changed)}) s
    ON ${cols.map((k) => (k === 'ts' ? 'r.ts = s.ts' : `r.${k} IS NOT DISTINCT FROM s.${k}`)).join(' AND ')}
    WHEN MATCHED AND r.n + s.d = 0 THEN DELETE
    WHEN MATCHED THEN UPDATE SET n = r.n + s.d${changed.map((i) => `, ${HOUR_COLUMNS[i]} = r.${HOUR_COLUMNS[i]} + s.d${HOUR_COLUMNS[i]}`).join('')}
    WHEN NOT MATCHED AND s.d <> 0 THEN INSERT VALUES (${cols.map((k) => `s.${k}`).join(', ')}, s.d${inserted.map((v) => `, ${v}`).join('')})`;
    }),
    `INSERT INTO ${STALE} SELECT DISTINCT ts FROM (SELECT date_trunc('day', created_ts)::TIMESTAMP AS ts FROM rollup_delta) d WHERE NOT ${staleDay('d')}`,
  ];
}

/** The UTC hours of the day `rollup_delta` has posts in (`foldCubes`), as text: `3,4` (NULL: none). */
export const DELTA_HOURS_SQL = `SELECT string_agg(DISTINCT hour(created_ts)::VARCHAR, ',') AS hours FROM rollup_delta`;

/**
 * Days with posts whose once-a-day figures (the single values', part-day and pair figures) are
 * not kept: none yet, or deleted as stale. Without `newest`, not the
 * newest day: while posts keep arriving it is made stale again at once, and computing its 46
 * spans at every row group (80 ms natively at 1.6 M toots) would be lost work; the pause after
 * the merges computes it (TootTable.refreshWhenQuiet).
 */
const partsMissing = (newest: boolean) => `SELECT ts FROM daily_authors WHERE ts IS NOT NULL AND ts NOT IN (SELECT ts FROM ${PART_DAY_TABLE})${newest ? '' : ' AND ts < (SELECT max(ts) FROM daily_authors)'}`;

/**
 * Brings the kept figures of the stale days up to date, and drops the once-a-day figures of those
 * days (`keepDays` computes them again).
 */
export const REFRESH_STALE = [
  `DELETE FROM daily_authors d WHERE ${staleDay('d')}`,
  `INSERT INTO daily_authors ${dailyAuthors(staleCells('agg_day_acct'))}`,
  ...['daily_authors_by', PART_DAY_TABLE, LANG_PART_DAY_TABLE, PAIR_TABLE].map((t) => `DELETE FROM ${t} d WHERE ${staleDay('d')}`),
];
/** The days (epoch ms) `keepDays` is for: `partsMissing`, after `REFRESH_STALE`. */
export const missingDaysSql = (newest: boolean) => `SELECT epoch_ms(ts)::DOUBLE AS day FROM (${partsMissing(newest)}) ORDER BY day`;
/**
 * The figures kept once a day (single values', part-day and pair figures) for `days`; nothing without days. Run
 * at every refresh over whatever days were missing, mostly none, they took a refresh from 244 to
 * 455 ms on average at 1.6 M toots in the browser (13 refreshes in an ingest; 1bd3898's bench).
 */
export function keepDays(days: readonly number[]): string[] {
  if (!days.length) return [];
  const inDays = `ts IN (${days.map((d) => `epoch_ms(${d})`).join(', ')})`;
  return [
    `INSERT INTO daily_authors_by ${dailyAuthorsBy(`(SELECT * FROM agg_day_author WHERE ${inDays})`)}`,
    `INSERT INTO ${PAIR_TABLE} ${dailyAuthorsPair(`(SELECT * FROM agg_day_author WHERE ${inDays})`)}`,
    `INSERT INTO ${PART_DAY_TABLE} ${partDayFigures(`SELECT * FROM agg_day_acct WHERE ${inDays}`)}`,
    // A range on the time, which DuckDB's zone maps narrow to the row groups of those days.
    `INSERT INTO ${LANG_PART_DAY_TABLE} ${langPartDays(`(SELECT * FROM toot_store WHERE ${days.map((d) => `(created_ts >= epoch_ms(${d}) AND created_ts < epoch_ms(${d + UNIT_MS.day}))`).join(' OR ')})`)}`,
  ];
}
export const CLEAR_STALE = `DELETE FROM ${STALE}`;
/**
 * The days whose once-a-day figures are not kept (stale, or not computed yet: the newest while posts
 * arrive), for the charts to count from the cells. Every day with posts is in `daily_authors` or
 * stale; a NULL day is never kept.
 */
export const uncoveredDays = `SELECT ts FROM ${STALE} UNION ALL SELECT ts FROM daily_authors WHERE ts NOT IN (SELECT ts FROM ${PART_DAY_TABLE})`;
/** Whether the row of `alias` is of a day whose once-a-day figures are kept. */
export const dayFiguresKept = (alias: string) => `${alias}.ts IN (SELECT ts FROM ${PART_DAY_TABLE}) AND NOT ${staleDay(alias)}`;

/** Whether TootTable.refreshKept has anything to do: stale days, or days missing their once-a-day figures. */
export const keptPendingSql = (newest: boolean) =>
  `SELECT (SELECT count(*) FROM ${STALE})::INTEGER + (SELECT count(*) FROM (${partsMissing(newest)}))::INTEGER AS n`;
export const STALE_DAYS_SQL = `SELECT count(*)::INTEGER AS n FROM ${STALE}`;

/**
 * How many of the dashboard's tables exist, and `toot_store`'s comment (the key of the set-up
 * statements that made its database: `TootTable.init`). A database file written before one of
 * the cubes or kept figures existed (the table persists with DuckDB's file) has fewer:
 * `TootTable.init` then computes them from the table, and so the merge's keys (`keys`: 0 or 1).
 */
export const CUBES_PRESENT_SQL = `SELECT count(*) FILTER (table_name IN (${CUBE_TABLES.map((t) => `'${t}'`).join(', ')}))::INTEGER AS n,
  (SELECT coalesce(sum(CASE WHEN table_name || '.' || column_name IN (${DASHBOARD_COLUMNS.map((c) => `'${c}'`).join(', ')}) THEN 1 ELSE -1 END), 0)
    FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name IN (${CUBE_TABLES.map((t) => `'${t}'`).join(', ')}))::INTEGER AS columns,
  count(*) FILTER (table_name = '${URI_KEYS}')::INTEGER AS keys,
  max(comment) FILTER (table_name = 'toot_store') AS setup FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'`;
