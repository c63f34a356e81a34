import { filteredCte, sqlInt, type ChartFilters } from './filters';

export interface LanguageRow {
  /** ISO 639 code, or `unknown`. */
  code: string;
  name: string;
  toots: number;
  /** Of all filtered posts, not only the top ones. */
  share: number;
}

export interface LanguagesOptions {
  limit?: number;
  /**
   * False leaves out untagged posts (`unknown` or NULL), as the blog's `language not in
   * ('unknown')` did; shares are then of tagged posts. Default true: untagged posts are a fact.
   */
  unknown?: boolean;
}

/** Leaves out untagged posts unless `unknown` (see LanguagesOptions). */
export const taggedOnly = (unknown: boolean | undefined, column: string): string =>
  unknown === false ? `WHERE coalesce(${column}, 'unknown') <> 'unknown'` : '';

/** Top languages with their names from the `language` table; `unknown` stays in unless asked. */
export function languagesSql(filters: ChartFilters, options: LanguagesOptions = {}): string {
  const limit = sqlInt(options.limit ?? 20, 20, 1000);
  return `WITH ${filteredCte(filters)},
c AS (SELECT language AS code, count(*)::INTEGER AS toots FROM f ${taggedOnly(options.unknown, 'language')} GROUP BY language),
s AS (SELECT code, toots, (toots / sum(toots) OVER ())::DOUBLE AS share FROM c)
SELECT s.code, coalesce(l.language_name, s.code) AS name, s.toots, s.share
FROM s LEFT JOIN language l ON l.lang_iso = s.code
ORDER BY s.toots DESC, s.code LIMIT ${limit}`;
}
