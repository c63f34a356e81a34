import { filteredCte, sqlInt, type ChartFilters } from './filters';

/**
 * One ordered pair of instances posts were collected from (elements of `seen_on`). Both shares are
 * returned; the chart says which one it draws.
 */
export interface OverlapRow {
  a: string;
  b: string;
  /** Posts seen on a, on b, on both. */
  na: number;
  nb: number;
  both: number;
  /** |A∩B| / |A∪B|. */
  jaccard: number;
  /** |A∩B| / min(|A|, |B|): 1 when the smaller set is inside the larger. */
  overlap_min: number;
}

export type OverlapMeasure = 'jaccard' | 'overlap_min';

export interface OverlapOptions {
  /** The instances with the most posts (default 12). */
  limit?: number;
}

export function overlapSql(filters: ChartFilters, options: OverlapOptions = {}): string {
  const limit = sqlInt(options.limit ?? 12, 12, 200);
  return `WITH ${filteredCte(filters)},
e AS (SELECT DISTINCT uri, unnest(seen_on) AS inst FROM f),
sizes AS (SELECT inst, count(*)::INTEGER AS n FROM e GROUP BY inst),
top AS (SELECT inst, n FROM sizes ORDER BY n DESC, inst LIMIT ${limit}),
te AS (SELECT e.uri, e.inst FROM e JOIN top ON top.inst = e.inst),
pairs AS (SELECT x.inst AS a, y.inst AS b, count(*)::INTEGER AS both FROM te x JOIN te y ON x.uri = y.uri GROUP BY x.inst, y.inst)
SELECT ta.inst AS a, tb.inst AS b, ta.n AS na, tb.n AS nb, coalesce(p.both, 0)::INTEGER AS both,
  (coalesce(p.both, 0) / (ta.n + tb.n - coalesce(p.both, 0)))::DOUBLE AS jaccard,
  (coalesce(p.both, 0) / least(ta.n, tb.n))::DOUBLE AS overlap_min
FROM top ta CROSS JOIN top tb LEFT JOIN pairs p ON p.a = ta.inst AND p.b = tb.inst
ORDER BY ta.n DESC, ta.inst, tb.n DESC, tb.inst`;
}
