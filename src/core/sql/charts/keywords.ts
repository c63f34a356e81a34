import { bucketGridSql, containsPattern, filteredCte, shiftedTs, sqlString, type ChartFilters } from './filters';

/** Posts whose text contains the keyword (case-insensitive) in one time bucket. */
export interface KeywordRow {
  /** Bucket start, epoch ms (wall-clock time at the offset: format it as UTC). */
  t: number;
  keyword: string;
  toots: number;
}

export interface KeywordOptions {
  keywords: readonly string[];
  grain?: 'hour' | 'day';
  offsetMinutes?: number;
}

export const MAX_KEYWORDS = 8;

/** Trimmed, non-empty, first spelling of each (case-insensitively), at most MAX_KEYWORDS. */
export function cleanKeywords(words: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words) {
    const k = w.trim();
    if (!k || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
    if (out.length === MAX_KEYWORDS) break;
  }
  return out;
}

/**
 * Counts per keyword and bucket, every bucket from the first to the last filtered post (0 when no
 * post matched). `ILIKE '%word%'` with `%`, `_` and `\` escaped. Null when there is no keyword.
 */
export function keywordsSql(filters: ChartFilters, options: KeywordOptions): string | null {
  const words = cleanKeywords(options.keywords);
  if (!words.length) return null;
  const grain = options.grain === 'day' ? 'day' : 'hour';
  const kw = words.map((w, i) => `(${sqlString(w)}, ${containsPattern(w)}, ${i})`).join(', ');
  return `WITH ${filteredCte(filters)},
kw(keyword, pattern, ord) AS (VALUES ${kw}),
t AS (SELECT date_trunc('${grain}', ${shiftedTs(options.offsetMinutes)}) AS bucket, mastodon_text FROM f),
hits AS (SELECT t.bucket, kw.keyword, count(*)::INTEGER AS n FROM t JOIN kw ON t.mastodon_text ILIKE kw.pattern ESCAPE '\\'
  GROUP BY t.bucket, kw.keyword),
b AS (${bucketGridSql('bucket', 't', grain === 'day' ? 1440 : 60)})
SELECT epoch_ms(b.bucket)::DOUBLE AS t, kw.keyword, coalesce(hits.n, 0)::INTEGER AS toots
FROM b CROSS JOIN kw LEFT JOIN hits ON hits.bucket = b.bucket AND hits.keyword = kw.keyword
ORDER BY kw.ord, b.bucket`;
}
