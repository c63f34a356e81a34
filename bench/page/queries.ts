import { dailySql, hourlySql, languagesSql, lengthsSql } from '../../src/core/sql/charts';
import { ROLLUP_SUMMARY_SQL } from '../../src/core/sql/rollups';
import { CREATE_TABLES, TOOTS_AS_STORED } from '../../src/core/sql/schema';
import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';
import type { BrowserDb } from '../../src/db/duckdb-browser';
import { languageNames } from '../../src/ui/language-names';
import { say } from './say';
import { median, now, round } from './stats';

/** The queries the bench times; the SQL is also handed to the driver, which runs the very same text in native DuckDB. */

export function benchSql() {
  const names = languageNames();
  const values = names.map(([c, n]) => `('${c.replaceAll("'", "''")}', '${n.replaceAll("'", "''")}')`).join(', ');
  return {
    create: [...CREATE_TABLES],
    storedColumns: TOOTS_AS_STORED,
    language: `INSERT INTO language VALUES ${values}`,
    queries: {
      summary: SUMMARY_SQL,
      daily: dailySql({}),
      hourly: hourlySql({}),
      languages: languagesSql({}),
      lengths: lengthsSql({}),
    } as Record<string, string>,
  };
}

async function timeQuery(db0: BrowserDb, sql: string, runs: number) {
  const t = now();
  const rows = await db0.query(sql); // warm-up
  const warmMs = now() - t;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await db0.query(sql);
    times.push(now() - t0);
  }
  return { ms: round(median(times)), min: round(Math.min(...times)), max: round(Math.max(...times)), warmMs: round(warmMs), rows: rows.length, result: rows.length === 1 ? rows[0] : undefined };
}

export async function queries(db0: BrowserDb, runs: number) {
  const out: Record<string, Awaited<ReturnType<typeof timeQuery>>> = {};
  for (const [name, sql] of Object.entries(benchSql().queries)) {
    say(`query ${name}`);
    out[name] = await timeQuery(db0, sql, runs);
  }
  return out;
}

/**
 * How DuckDB stores `acct` in `toot_store` (schema.ts chooses it for the summary's distinct count),
 * and that count alone, as timed as the queries above; and the same for the summary's other
 * columns, with the summary less its count of authors: where the rest of its time goes.
 */
export async function acctStorage(db0: BrowserDb, runs: number) {
  const storage = (column: string) => db0.query<{ compression: string; segments: number; rows: number }>(
    `SELECT compression, count(*)::INTEGER AS segments, sum(count)::INTEGER AS rows FROM pragma_storage_info('toot_store')
     WHERE column_name = '${column}' AND segment_type <> 'VALIDITY' GROUP BY ALL ORDER BY ALL`,
  );
  const segments = await storage('acct');
  const distinct = await timeQuery(db0, 'SELECT count(DISTINCT acct)::INTEGER AS users FROM toot_store', runs);
  const others: Record<string, unknown> = {};
  for (const column of ['from_instance', 'language']) {
    const alone = await timeQuery(db0, `SELECT count(DISTINCT ${column})::INTEGER AS n FROM toot_store`, runs);
    others[column] = { segments: await storage(column), distinctMs: alone.ms };
  }
  const without = SUMMARY_SQL.replace('count(DISTINCT acct)::INTEGER AS users,', '');
  const rest = await timeQuery(db0, without, runs);
  // The same figures with the author count as a query of its own: the three distinct counts of
  // one query took longer than the author count and the rest apart (150 against 80 + 11 ms).
  const split = await timeQuery(db0, `SELECT s.*, (SELECT count(DISTINCT acct)::INTEGER FROM toots) AS users FROM (${without}) s`, runs);
  const whole = await timeQuery(db0, SUMMARY_SQL, runs);
  return { segments, distinctMs: distinct.ms, others, summaryWithoutAuthorsMs: rest.ms, summarySplitMs: split.ms, summaryAgainMs: whole.ms };
}

/**
 * The live summary as the app computes it (SummaryState.refresh): ROLLUP_SUMMARY_SQL over the
 * rollups every merge maintains (src/core/sql/rollups.ts), checked against the full summary.
 */
export async function liveRollup(db0: BrowserDb, runs: number) {
  const timing = await timeQuery(db0, ROLLUP_SUMMARY_SQL, runs);
  const [exact] = await db0.query<Summary>(SUMMARY_SQL);
  const r = timing.result as Summary | undefined;
  const same = !!r && !!exact && (Object.keys(exact) as Array<keyof Summary>).every((k) => Math.abs(r[k] - exact[k]) <= 1e-9 * Math.max(1, Math.abs(exact[k])));
  const [keys] = await db0.query<{ n: number }>(
    'SELECT ((SELECT count(*) FROM rollup_authors) + (SELECT count(*) FROM rollup_instances) + (SELECT count(*) FROM rollup_languages) + (SELECT count(*) FROM rollup_lengths))::INTEGER AS n',
  );
  return { source: 'app-rollups', ms: timing.ms, buildMs: null, hourRows: keys?.n ?? 0, matchesSummary: same };
}
