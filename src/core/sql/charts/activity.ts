import { groupedKeySql, type InstanceGroups } from './instance-groups';
import { filteredCte, GRAIN_MINUTES, grainGridSql, isGrain, shiftedTs, sqlInt, sqlString, type ChartFilters, type TimeGrain } from './filters';

/** Posts per bucket for one series (a top instance, or `other`), and the rolling mean. */
export interface ActivityRow {
  /** Bucket start, epoch ms (wall-clock time at the offset: format it as UTC). */
  t: number;
  series: string;
  /** 1 = the busiest instance; `other` comes last. */
  rank: number;
  toots: number;
  /**
   * Mean posts per bucket over the window ending at this bucket. Empty buckets count as 0 (the
   * grid has every bucket, as pandas' resample does); the first buckets average fewer buckets,
   * where pandas' rolling(7) leaves them empty.
   */
  rolling: number;
}

/** The author's instance, the instance collected from, or the feeds the rows follow (core/channel.ts). */
export type ActivityBy = 'from_instance' | 'base_url' | 'feed';
export const OTHER_SERIES = 'other';

export interface ActivityOptions {
  grain: TimeGrain;
  /** The author's instance, or the instance the post was collected from. */
  by: ActivityBy;
  /** Instances drawn on their own; the rest is `other`. */
  topN?: number;
  /** Rolling-mean window in minutes, the current bucket included (15 live, 7 days = 10080 long). */
  windowMinutes?: number;
  offsetMinutes?: number;
  /** Instances drawn together under a name of the person's (instance-groups.ts). */
  groups?: InstanceGroups;
  /** With `by: 'feed'`: each feed's series key and the condition its toots meet (channel.ts `feedWhereSql`). */
  feeds?: ReadonlyArray<{ key: string; where: string }>;
}

/**
 * The series keys of each toot. A toot is in one instance's series; with `by: 'feed'` it is in
 * every feed that would deliver it (a post with #rust and #go is in both), and in none when no
 * feed covers it (imports, the demo): those are left out, not drawn as `other`.
 */
function seriesKeysSql(options: ActivityOptions): { key: string; where: string } {
  if (options.by !== 'feed') return { key: groupedKeySql(options.by === 'base_url' ? 'base_url' : 'from_instance', options.groups), where: '' };
  const feeds = options.feeds ?? [];
  if (!feeds.length) return { key: 'NULL::VARCHAR', where: ' WHERE false' };
  const cases = feeds.map((f) => `CASE WHEN ${f.where} THEN ${sqlString(f.key)} END`);
  return { key: `unnest(list_filter([${cases.join(', ')}], x -> x IS NOT NULL))`, where: '' };
}

/** Rolling window that suits the span: 15 minutes while live, 7 days over a long collection. */
export const defaultWindowMinutes = (spanMs: number): number => (spanMs <= 2 * 86_400_000 ? 15 : 7 * 1440);

export function activitySql(filters: ChartFilters, options: ActivityOptions): string {
  const grain: TimeGrain = isGrain(options.grain) ? options.grain : 'hour';
  const step = GRAIN_MINUTES[grain];
  const keys = seriesKeysSql(options);
  const topN = Math.max(1, sqlInt(options.topN ?? 8, 8, 100));
  const windowMinutes = sqlInt(options.windowMinutes ?? step, step, 10 * 366 * 1440);
  // RANGE … PRECEDING is measured from the bucket start: a window of w minutes holds the buckets
  // that start within (w − step) minutes before this one.
  const preceding = Math.max(0, windowMinutes - step);
  return `WITH ${filteredCte(filters)},
t AS (SELECT date_trunc('${grain}', ${shiftedTs(options.offsetMinutes)}) AS bucket, ${keys.key} AS k FROM f${keys.where}),
top AS (SELECT k, row_number() OVER (ORDER BY count(*) DESC, k) AS rank FROM t GROUP BY k ORDER BY rank LIMIT ${topN}),
s AS (SELECT t.bucket, coalesce(top.k, '${OTHER_SERIES}') AS series, coalesce(top.rank, ${topN + 1})::INTEGER AS rank
      FROM t LEFT JOIN top ON top.k = t.k),
keys AS (SELECT DISTINCT series, rank FROM s),
c AS (SELECT bucket, series, count(*)::INTEGER AS n FROM s GROUP BY bucket, series),
b AS (${grainGridSql('bucket', 't', grain)}),
grid AS (SELECT b.bucket, keys.series, keys.rank, coalesce(c.n, 0)::INTEGER AS toots
         FROM b CROSS JOIN keys LEFT JOIN c ON c.bucket = b.bucket AND c.series = keys.series)
SELECT epoch_ms(bucket)::DOUBLE AS t, series, rank, toots,
  avg(toots) OVER (PARTITION BY series ORDER BY bucket
    RANGE BETWEEN INTERVAL (${preceding}) MINUTE PRECEDING AND CURRENT ROW)::DOUBLE AS rolling
FROM grid ORDER BY rank, bucket`;
}

/** First and last post time under the filters: picks the grain and the window. */
export function spanSql(filters: ChartFilters): string {
  return `WITH ${filteredCte(filters)}
SELECT count(*)::INTEGER AS toots, epoch_ms(min(created_ts))::DOUBLE AS first, epoch_ms(max(created_ts))::DOUBLE AS last FROM f`;
}

export interface SpanRow {
  toots: number;
  first: number | null;
  last: number | null;
}
