/**
 * Query rows → what each chart draws and what its table shows. Pure, so the tests can feed the
 * same rows to the geometry as the page does.
 */
import type {
  ActivityRow, AppRow, DailyRow, HashtagRow, HourlyRow, KeywordRow, LanguageRow, LengthRow, OverlapMeasure, OverlapRow,
} from '../core/sql/charts';
import { GROUP_PREFIX } from '../core/sql/charts/instance-groups';
import { FEED_PREFIX } from '../core/channel';
import type { BarDatum } from './bar';
import type { BoxDatum } from './boxplot';
import { formatBlogDay, formatBucket, formatInteger, formatMean, formatShare, hostLabel } from './format';
import type { LineSeries } from './lines';
import type { MatrixData } from './matrix';
import type { Pick } from './scene';
import type { TableData } from './table';

const instancePick = (value: string): Pick => ({ kind: 'instance', value });
const langPick = (value: string): Pick => ({ kind: 'lang', value });

export function dailyTable(rows: readonly DailyRow[]): TableData {
  const who = (k: string | null, n: number | null) => (k === null ? null : `${hostLabel(k)} (${n})`);
  return {
    columns: [
      // Users are distinct username@host (the blog counted bare usernames, which merges namesakes on different servers).
      { label: 'Day', nowrap: true }, { label: 'Toots', numeric: true, format: formatInteger }, { label: 'Users (username@host)', numeric: true, format: formatInteger },
      { label: 'Source instances', numeric: true }, { label: 'Top user (not a bot)' }, { label: 'Top bot' }, { label: 'Top instance collected from' },
    ],
    rows: rows.map((r) => ({
      cells: [formatBlogDay(r.day), r.toots, r.users, r.source_instances, who(r.top_user, r.top_user_toots), who(r.top_bot, r.top_bot_toots), who(r.top_collected, r.top_collected_toots)],
    })),
  };
}

export const appBars = (rows: readonly AppRow[]): BarDatum[] => rows.map((r) => ({ key: r.app, label: r.app, value: r.toots }));
export const appTable = (rows: readonly AppRow[]): TableData => ({
  columns: [{ label: 'App' }, { label: 'Toots', numeric: true }],
  rows: rows.map((r) => ({ cells: [r.app, r.toots] })),
});

export const languageBars = (rows: readonly LanguageRow[]): BarDatum[] =>
  rows.map((r) => ({ key: r.code, label: r.name === r.code ? r.code : `${r.name} (${r.code})`, value: r.toots, pick: langPick(r.code), note: `(${formatShare(r.share)})` }));
export const languageTable = (rows: readonly LanguageRow[]): TableData => ({
  columns: [{ label: 'Language' }, { label: 'Code' }, { label: 'Toots', numeric: true }, { label: 'Share', numeric: true, format: formatShare }],
  rows: rows.map((r) => ({ cells: [r.name, r.code, r.toots, r.share], pick: langPick(r.code) })),
});

export const hashtagBars = (rows: readonly HashtagRow[]): BarDatum[] => rows.map((r) => ({ key: r.tag, label: `#${r.tag}`, value: r.toots }));
export const hashtagTable = (rows: readonly HashtagRow[]): TableData => ({
  columns: [{ label: 'Hashtag' }, { label: 'Toots', numeric: true }],
  rows: rows.map((r) => ({ cells: [`#${r.tag}`, r.toots] })),
});

/**
 * One series per day, x = hour 0…23. `open` is the hour still filling (day and hour on the
 * chart's clock): that point of that day's line is drawn as partial.
 */
export function hourlySeries(rows: readonly HourlyRow[], open?: { day: string; hour: number }): LineSeries[] {
  const byDay = new Map<string, Array<[number, number]>>();
  for (const r of rows) {
    let pts = byDay.get(r.day);
    if (!pts) byDay.set(r.day, (pts = []));
    pts.push([r.hour, r.toots]);
  }
  return [...byDay].map(([day, points]) => ({ key: day, label: day, points, ...(open?.day === day ? { partialFrom: open.hour } : {}) }));
}
export const hourlyTable = (rows: readonly HourlyRow[]): TableData => ({
  columns: [{ label: 'Day' }, { label: 'Hour' }, { label: 'Toots', numeric: true }],
  rows: rows.map((r) => ({ cells: [r.day, `${String(r.hour).padStart(2, '0')}:00`, r.toots] })),
});

export function keywordSeries(rows: readonly KeywordRow[]): LineSeries[] {
  const byKey = new Map<string, Array<[number, number]>>();
  for (const r of rows) {
    let pts = byKey.get(r.keyword);
    if (!pts) byKey.set(r.keyword, (pts = []));
    pts.push([r.t, r.toots]);
  }
  return [...byKey].map(([k, points]) => ({ key: k, label: `“${k}”`, points }));
}
export const keywordTable = (rows: readonly KeywordRow[], grain: string): TableData => ({
  columns: [{ label: grain === 'day' ? 'Day' : 'Hour' }, { label: 'Keyword' }, { label: 'Toots', numeric: true }],
  rows: rows.map((r) => ({ cells: [formatBucket(r.t, grain), r.keyword, r.toots] })),
});

/**
 * The first bucket start (shifted ms, like the rows' `t`) that is still filling at `now`: a bucket
 * is finished only once its end has passed.
 */
export const partialFrom = (grainMinutes: number, offsetMinutes: number, now: number): number =>
  now + offsetMinutes * 60_000 - grainMinutes * 60_000 + 1;

/** As partialFrom, for a grain: a calendar month's bucket is filling from the 1st of this month. */
export function openBucketFrom(grain: string, grainMinutes: number, offsetMinutes: number, now: number): number {
  if (grain !== 'month') return partialFrom(grainMinutes, offsetMinutes, now);
  const d = new Date(now + offsetMinutes * 60_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * What the activity chart draws, lines or stacked: rolling means whenever the window is longer
 * than a bucket (the mybinder notebook's stacked 7-day means), counts otherwise. `text` says which,
 * and how empty buckets and the first buckets are treated.
 */
export function activityView(
  rows: readonly ActivityRow[], grain: string, grainMinutes: number, windowMinutes: number, windowText: string,
): { series: LineSeries[]; means: boolean; yLabel: string; text: string } {
  const means = windowMinutes > grainMinutes;
  return {
    series: activitySeries(rows, means ? 'rolling' : 'toots'),
    means,
    yLabel: `${means ? 'mean ' : ''}toots per ${grain}`,
    text: means
      ? `rolling mean over ${windowText}: an empty ${grain} counts as 0, and the first ${grain}s average the fewer ${grain}s there are ` +
        `(the notebook's pandas rolling(7) leaves those blank). `
      : 'counts. ',
  };
}

/** The hour still filling, as the hour-of-day chart's rows name it. */
export function openHour(offsetMinutes: number, now: number): { day: string; hour: number } {
  const d = new Date(now + offsetMinutes * 60_000);
  return { day: d.toISOString().slice(0, 10), hour: d.getUTCHours() };
}

/** Series in rank order; `rolling` picks the rolling mean over the raw count. */
export function activitySeries(rows: readonly ActivityRow[], value: 'toots' | 'rolling'): LineSeries[] {
  const bySeries = new Map<string, Array<[number, number]>>();
  for (const r of rows) {
    let pts = bySeries.get(r.series);
    if (!pts) bySeries.set(r.series, (pts = []));
    pts.push([r.t, r[value]]);
  }
  return [...bySeries].map(([k, points]) => ({
    key: k,
    label: seriesLabel(k),
    points,
    ...(seriesPick(k) ?? {}),
  }));
}

/** A series is an instance, `other`, or a group of the person's (instance-groups.ts): named, not clickable. */
const isGroup = (k: string) => k.startsWith(GROUP_PREFIX);
/** A feed's series (channel.ts FEED_PREFIX): "host #tag", not an instance to filter by. */
const isFeed = (k: string) => k.startsWith(FEED_PREFIX);
const seriesLabel = (k: string) =>
  k === 'other' ? 'other' : isGroup(k) ? `${k.slice(GROUP_PREFIX.length)} (group)` : isFeed(k) ? k.slice(FEED_PREFIX.length) : hostLabel(k);
const seriesPick = (k: string) => (k === 'other' || isGroup(k) || isFeed(k) ? null : { pick: instancePick(k) });
export const activityTable = (rows: readonly ActivityRow[], grain: string): TableData => ({
  columns: [{ label: 'Bucket' }, { label: 'Instance' }, { label: 'Toots', numeric: true }, { label: 'Rolling mean', numeric: true, format: formatMean }],
  rows: rows.map((r) => ({ cells: [formatBucket(r.t, grain), isGroup(r.series) || isFeed(r.series) ? seriesLabel(r.series) : r.series, r.toots, r.rolling], ...(seriesPick(r.series) ?? {}) })),
});

export const lengthBoxes = (rows: readonly LengthRow[]): BoxDatum[] =>
  rows.map((r) => ({
    key: r.code, label: r.name === r.code ? r.code : `${r.name} (${r.code})`, n: r.toots, min: r.min, q1: r.q1, median: r.median, q3: r.q3,
    max: r.max, lo: r.whisker_lo, hi: r.whisker_hi, outliers: r.outliers, pick: langPick(r.code),
  }));
export const lengthTable = (rows: readonly LengthRow[]): TableData => ({
  columns: ['Language', 'Toots', 'Min', 'Q1', 'Median', 'Q3', 'Max', 'Whisker low', 'Whisker high', 'Outliers'].map((label, i) => ({ label, numeric: i > 0, format: formatMean })),
  rows: rows.map((r) => ({ cells: [r.name, r.toots, r.min, r.q1, r.median, r.q3, r.max, r.whisker_lo, r.whisker_hi, r.outliers], pick: langPick(r.code) })),
});

export const MEASURE_TEXT: Record<OverlapMeasure, string> = {
  jaccard: 'share of posts seen on both = |A∩B| / |A∪B| (Jaccard)',
  overlap_min: 'share of posts seen on both = |A∩B| / min(|A|, |B|) (overlap coefficient)',
};

export function overlapMatrix(rows: readonly OverlapRow[], measure: OverlapMeasure): MatrixData {
  const keys = [...new Set(rows.map((r) => r.a))];
  const index = new Map(keys.map((k, i) => [k, i]));
  const values = keys.map(() => keys.map(() => 0));
  const titles = keys.map(() => keys.map(() => ''));
  for (const r of rows) {
    const i = index.get(r.a)!;
    const j = index.get(r.b)!;
    values[i]![j] = r[measure];
    titles[i]![j] = `${hostLabel(r.a)} × ${hostLabel(r.b)}: ${formatShare(r[measure])} — ${r.both} posts on both, ${r.na} on ${hostLabel(r.a)}, ${r.nb} on ${hostLabel(r.b)}`;
  }
  return { labels: keys.map(hostLabel), values, titles, picks: keys.map(instancePick) };
}
export const overlapTable = (rows: readonly OverlapRow[]): TableData => ({
  columns: [
    { label: 'Instance A' }, { label: 'Instance B' }, { label: 'Posts on A', numeric: true }, { label: 'Posts on B', numeric: true },
    { label: 'On both', numeric: true }, { label: '|A∩B| / |A∪B|', numeric: true, format: formatShare }, { label: '|A∩B| / min', numeric: true, format: formatShare },
  ],
  rows: rows.filter((r) => r.a < r.b).map((r) => ({ cells: [hostLabel(r.a), hostLabel(r.b), r.na, r.nb, r.both, r.jaccard, r.overlap_min], pick: instancePick(r.a) })),
});

