/**
 * The daily table's author figures (distinct users, the most active user and bot with their
 * posts) per group of `keys`, from a relation `rel` of columns `keys…, acct, bot, n` that holds
 * one row per (keys, author, bot), as the per-author cubes' cells do.
 *
 * The plain form, `count(DISTINCT acct)` and `arg_min(acct, (-n, acct))` in one aggregate, hashed
 * every author's name and compared a struct per row: 74.5 ms for the figures of all 8 days of
 * `agg_day_acct` at 1.6 M bench toots and 24.7 for the two part days of a brush (native DuckDB,
 * one thread). Here the names are hashed only where they must be: the maxima are found first,
 * and the names read only on the rows that reach them; the users are the cells less the authors
 * with cells under both bot values, found by joining the few bot cells (5 % of authors) to the
 * rest (48.0 and 16.5 ms, the same figures). Used for the figures kept per day (cubes.ts), where
 * every author of a day is counted; a query over few cells is quicker with the one aggregate
 * (cubes.ts `AUTHOR_FIGURES`).
 */

/** `a.k IS NOT DISTINCT FROM b.k` for each key: a NULL key is a group as any other, as in GROUP BY. */
const same = (keys: readonly string[], a: string, b: string) => keys.map((k) => `${a}.${k} IS NOT DISTINCT FROM ${b}.${k}`).join(' AND ');
const of = (keys: readonly string[], a: string) => keys.map((k) => `${a}.${k}`).join(', ');

/**
 * `keys…, users, top_user, top_user_toots, top_bot, top_bot_toots`, ranked as daily.ts ranks
 * them: the most posts, ties to the first name A→Z.
 */
export function authorFigures(rel: string, keys: readonly string[]): string {
  // Users: cells not marked bot (one per author), plus the other cells' distinct authors (bot,
  // or bot unknown), less those of them that also have a cell not marked bot.
  return `(WITH p AS MATERIALIZED (${rel}),
f AS (SELECT ${of(keys, 'p')}, count(acct) FILTER (WHERE bot IS NOT DISTINCT FROM false) AS human,
    count(DISTINCT acct) FILTER (WHERE bot IS DISTINCT FROM false) AS other,
    max(n) FILTER (WHERE NOT bot) AS top_user_toots, max(n) FILTER (WHERE bot) AS top_bot_toots
  FROM p GROUP BY ALL),
t AS (SELECT ${of(keys, 'p')}, min(p.acct) FILTER (WHERE NOT p.bot AND p.n = f.top_user_toots) AS top_user,
    min(p.acct) FILTER (WHERE p.bot AND p.n = f.top_bot_toots) AS top_bot
  FROM p JOIN f ON ${same(keys, 'f', 'p')} WHERE p.n = f.top_user_toots OR p.n = f.top_bot_toots GROUP BY ALL),
o AS (SELECT ${of(keys, 'p')}, acct FROM p WHERE bot IS DISTINCT FROM false),
both_kinds AS (SELECT ${of(keys, 'h')}, count(*) AS d FROM p h SEMI JOIN o ON ${same(keys, 'o', 'h')} AND o.acct = h.acct
  WHERE h.bot IS NOT DISTINCT FROM false GROUP BY ALL)
SELECT ${of(keys, 'f')}, (f.human + f.other - coalesce(both_kinds.d, 0))::INTEGER AS users,
  t.top_user, f.top_user_toots::INTEGER AS top_user_toots, t.top_bot, f.top_bot_toots::INTEGER AS top_bot_toots
FROM f LEFT JOIN t ON ${same(keys, 'f', 't')} LEFT JOIN both_kinds ON ${same(keys, 'f', 'both_kinds')})`;
}
