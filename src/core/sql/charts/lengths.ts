import { filteredCte, sqlInt, type ChartFilters } from './filters';

/** Toot length (characters) for one language: five-number summary and 1.5 IQR whiskers. */
export interface LengthRow {
  code: string;
  name: string;
  toots: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Smallest length ≥ q1 − 1.5·IQR. */
  whisker_lo: number;
  /** Largest length ≤ q3 + 1.5·IQR. */
  whisker_hi: number;
  outliers: number;
}

export interface LengthsOptions {
  limit?: number;
  /** approx_quantile (t-digest) instead of exact quantile_cont: for very large collections. */
  approximate?: boolean;
}

export function lengthsSql(filters: ChartFilters, options: LengthsOptions = {}): string {
  const limit = sqlInt(options.limit ?? 20, 20, 1000);
  const q = (p: number) =>
    options.approximate ? `approx_quantile(f.characters, ${p})::DOUBLE` : `quantile_cont(f.characters, ${p})::DOUBLE`;
  return `WITH ${filteredCte(filters)},
top AS (SELECT language, count(*)::INTEGER AS toots FROM f GROUP BY language ORDER BY toots DESC, language LIMIT ${limit}),
s AS (SELECT f.language, min(f.characters)::DOUBLE AS min, ${q(0.25)} AS q1, ${q(0.5)} AS median,
        ${q(0.75)} AS q3, max(f.characters)::DOUBLE AS max
      FROM f JOIN top ON top.language = f.language GROUP BY f.language),
w AS (SELECT s.language,
        min(f.characters) FILTER (WHERE f.characters >= s.q1 - 1.5 * (s.q3 - s.q1))::DOUBLE AS whisker_lo,
        max(f.characters) FILTER (WHERE f.characters <= s.q3 + 1.5 * (s.q3 - s.q1))::DOUBLE AS whisker_hi,
        count(*) FILTER (WHERE f.characters < s.q1 - 1.5 * (s.q3 - s.q1) OR f.characters > s.q3 + 1.5 * (s.q3 - s.q1))::INTEGER AS outliers
      FROM f JOIN s ON s.language = f.language GROUP BY s.language)
SELECT top.language AS code, coalesce(l.language_name, top.language) AS name, top.toots,
  s.min, s.q1, s.median, s.q3, s.max, w.whisker_lo, w.whisker_hi, w.outliers
FROM top JOIN s ON s.language = top.language JOIN w ON w.language = top.language
LEFT JOIN language l ON l.lang_iso = top.language
ORDER BY top.toots DESC, top.language`;
}
