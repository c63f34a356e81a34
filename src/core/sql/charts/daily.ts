import { filteredCte, shiftedTs, type ChartFilters } from './filters';

/** One row per day of the daily usage table. Ties for "most frequent" go to the first name A→Z. */
export interface DailyRow {
  day: string;
  toots: number;
  users: number;
  /** Distinct authors' servers (`from_instance`). */
  source_instances: number;
  top_user: string | null;
  top_user_toots: number | null;
  top_bot: string | null;
  top_bot_toots: number | null;
  /** The instance most of the day's posts were collected from (`base_url`). */
  top_collected: string | null;
  top_collected_toots: number | null;
}

export interface DailyOptions {
  /** Minutes east of UTC the days are cut at (0 = UTC days). */
  offsetMinutes?: number;
}

const topPer = (name: string, column: string, where: string) =>
  `${name} AS (SELECT day, ${column} AS k, count(*)::INTEGER AS n,
     row_number() OVER (PARTITION BY day ORDER BY count(*) DESC, ${column}) AS rk
   FROM d ${where} GROUP BY day, ${column})`;

export function dailySql(filters: ChartFilters, options: DailyOptions = {}): string {
  return `WITH ${filteredCte(filters)},
d AS (SELECT strftime(${shiftedTs(options.offsetMinutes)}::DATE, '%Y-%m-%d') AS day, acct, bot, from_instance, base_url FROM f),
totals AS (SELECT day, count(*)::INTEGER AS toots, count(DISTINCT acct)::INTEGER AS users,
  count(DISTINCT from_instance)::INTEGER AS source_instances FROM d GROUP BY day),
${topPer('u', 'acct', 'WHERE NOT bot')},
${topPer('b', 'acct', 'WHERE bot')},
${topPer('c', 'base_url', '')}
SELECT totals.day, totals.toots, totals.users, totals.source_instances,
  u.k AS top_user, u.n AS top_user_toots, b.k AS top_bot, b.n AS top_bot_toots,
  c.k AS top_collected, c.n AS top_collected_toots
FROM totals
LEFT JOIN u ON u.day = totals.day AND u.rk = 1
LEFT JOIN b ON b.day = totals.day AND b.rk = 1
LEFT JOIN c ON c.day = totals.day AND c.rk = 1
ORDER BY totals.day`;
}
