import { filteredCte, sqlInt, type ChartFilters } from './filters';

export interface AppRow {
  app: string;
  toots: number;
}

export interface AppsOptions {
  limit?: number;
}

/**
 * Client apps of non-bot posts. Only posts local to the instance they were collected from carry
 * `application`, so remote posts (app = '') are left out rather than counted as "unknown".
 */
export function appsSql(filters: ChartFilters, options: AppsOptions = {}): string {
  const limit = sqlInt(options.limit ?? 10, 10, 1000);
  return `WITH ${filteredCte(filters)}
SELECT app, count(*)::INTEGER AS toots FROM f
WHERE NOT bot AND app <> ''
GROUP BY app ORDER BY toots DESC, app LIMIT ${limit}`;
}
