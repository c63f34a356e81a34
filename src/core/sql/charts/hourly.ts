import { bucketGridSql, filteredCte, shiftedTs, sqlInt, type ChartFilters } from './filters';

/** Posts in one hour of one day; hours without posts between the first and the last are 0. */
export interface HourlyRow {
  day: string;
  hour: number;
  toots: number;
}

export interface HourlyOptions {
  /** Minutes east of UTC: 0 for UTC, the browser's offset for local time. */
  offsetMinutes?: number;
  /** Keep only the last N days that have data (default 14). */
  maxDays?: number;
}

export function hourlySql(filters: ChartFilters, options: HourlyOptions = {}): string {
  const maxDays = sqlInt(options.maxDays ?? 14, 14, 10_000);
  return `WITH ${filteredCte(filters)},
t AS (SELECT date_trunc('hour', ${shiftedTs(options.offsetMinutes)}) AS h FROM f),
c AS (SELECT h, count(*)::INTEGER AS n FROM t GROUP BY h),
b AS (${bucketGridSql('h', 't', 60)})
SELECT strftime(b.h, '%Y-%m-%d') AS day, hour(b.h)::INTEGER AS hour, coalesce(c.n, 0)::INTEGER AS toots
FROM b LEFT JOIN c ON c.h = b.h
WHERE b.h >= (SELECT max(h)::DATE FROM t) - INTERVAL (${Math.max(0, maxDays - 1)}) DAY
ORDER BY b.h`;
}
