import { filteredCte, sqlInt, type ChartFilters } from './filters';

export interface HashtagRow {
  tag: string;
  /** Posts carrying the tag (a tag repeated in one post counts once). */
  toots: number;
}

export interface HashtagsOptions {
  limit?: number;
}

export function hashtagsSql(filters: ChartFilters, options: HashtagsOptions = {}): string {
  const limit = sqlInt(options.limit ?? 20, 20, 1000);
  return `WITH ${filteredCte(filters)},
t AS (SELECT unnest(list_distinct(hashtags)) AS tag FROM f)
SELECT tag, count(*)::INTEGER AS toots FROM t WHERE tag <> ''
GROUP BY tag ORDER BY toots DESC, tag LIMIT ${limit}`;
}
