import type { ChartFilters, SpanRow } from '../../src/core/sql/charts';
import { cubeSpan, cubeSpanSql } from '../../src/core/sql/cube/charts';
import { dashboardSql, interactionRounds, INTERACTION_PICKS_SQL, type InteractionPicks } from './dashboard-sql';
import { STALE_DAYS_SQL } from '../../src/core/sql/cube/cubes';
import { DashboardCache, type SavedAnswer } from '../../src/store/dashboard-cache';
import type { BrowserDb } from '../../src/db/duckdb-browser';
import type { LocalData } from '../../src/store/local-data';
import { say } from './say';
import { now, percentile, round } from './stats';

/**
 * The dashboard's queries as ChartsState runs them (src/ui/charts-state.svelte.ts: UTC, the
 * activity grain and window chosen from the span, the cube first and the raw SQL where it has
 * none), timed per chart and as whole rounds after a filter click or a brush.
 */
type Step = [name: string, run: () => Promise<unknown>];
/** What ChartsState saves for the next visit (src/store/dashboard-cache.ts): each chart's SQL and rows. */
export type Answers = Record<string, SavedAnswer>;

/** One round of the dashboard's queries; each step records its answer in `answers`. */
async function round0(db0: BrowserDb, f: ChartFilters, answers: Answers = {}): Promise<Step[]> {
  const q = <R>(sql: string) => db0.query<R>(sql);
  let span: SpanRow | null = null;
  const steps: Step[] = [['span', async () => {
    span = await cubeSpan(q, f);
    answers.span = { sql: cubeSpanSql(f), rows: [span] };
  }]];
  // Each chart's SQL once the span step has run, built once a round (the names need no span).
  let plan: Map<string, string> | null = null;
  for (const [name] of dashboardSql(f, null)) {
    steps.push([name, async () => {
      const sql = (plan ??= new Map(dashboardSql(f, span))).get(name)!;
      answers[name] = { sql, rows: await q(sql) };
    }]);
  }
  return steps;
}

/** The unfiltered dashboard's chart queries, in the order ChartsState runs them, answers into `answers`. */
export const dashboardQueries = (db0: BrowserDb, answers: Answers = {}) => round0(db0, {}, answers);

/**
 * Saves the unfiltered dashboard's answers as the app does after a round, for the reload to draw
 * from, with the stamp of the data they were given for (null if it changed meanwhile).
 */
export async function saveDashboard(db0: BrowserDb, data: LocalData): Promise<void> {
  const answers: Answers = {};
  const stamp = await data.stamp();
  for (const [, run] of await dashboardQueries(db0, answers)) await run();
  const same = (await data.stamp()) === stamp;
  await DashboardCache.open().save({ savedAt: Date.now(), answers, stamp: same ? stamp : null });
}

const p95 = (xs: number[]) => percentile(xs, 0.95);

export async function chartTimings(db0: BrowserDb, runs: number) {
  // Days whose kept author figures wait for a refresh (cubes.ts): the daily table counts them from the cubes.
  const [stale] = await db0.query<{ n: number }>(STALE_DAYS_SQL);
  // Tasks that held the page's thread meanwhile: a query's answer waits for them, so a slow
  // sample that overlaps one is the page's time, not DuckDB's.
  const longTasks: Array<[start: number, ms: number]> = [];
  const observer = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) longTasks.push([round(e.startTime), round(e.duration)]);
  });
  observer.observe({ type: 'longtask' });
  // Per chart, unfiltered: a warm-up, then `runs` timed rounds.
  const perChart: Record<string, number[]> = {};
  const slowest: Array<[chart: string, start: number, ms: number]> = [];
  for (let r = 0; r <= runs; r++) {
    for (const [name, run] of await round0(db0, {})) {
      say(`chart ${name}`);
      const t0 = now();
      await run();
      const ms = now() - t0;
      if (r > 0) (perChart[name] ??= []).push(ms);
      if (r > 0 && ms > 100) slowest.push([name, round(t0), round(ms)]);
    }
  }
  const charts = Object.fromEntries(Object.entries(perChart).map(([k, v]) => [k, round(p95(v))]));
  const worst = Object.entries(charts).reduce((a, b) => (b[1] > a[1] ? b : a), ['', -1]);
  const all = Object.values(perChart).flat();

  const [picks] = await db0.query<InteractionPicks>(INTERACTION_PICKS_SQL);
  const interactions = interactionRounds(picks!);
  const rounds: Record<string, number[]> = {};
  // Each chart's time within each kind of round: where a round's time goes.
  const inRounds: Record<string, Record<string, number[]>> = {};
  for (let r = 0; r <= runs; r++) {
    for (const [name, f] of interactions) {
      say(`interaction ${name}`);
      const t0 = now();
      for (const [chart, run] of await round0(db0, f)) {
        const t1 = now();
        await run();
        if (r > 0) ((inRounds[name] ??= {})[chart] ??= []).push(now() - t1);
      }
      if (r > 0) (rounds[name] ??= []).push(now() - t0);
    }
  }
  const allRounds = Object.values(rounds).flat();
  return {
    chart_query_p95_ms: round(worst[1]),
    worstChart: worst[0],
    charts,
    /** The slowest single chart query, and how many of all took over 50 ms: what a p95 leaves out. */
    chart_query_max_ms: round(Math.max(...all)),
    chart_queries_over_50ms: `${all.filter((ms) => ms > 50).length} of ${all.length}`,
    interaction_p95_ms: round(p95(allRounds)),
    interactions: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, round(p95(v))])),
    /** Per kind of round, each chart's median (ms): they add up to about the round's median. */
    interaction_charts_p50: Object.fromEntries(Object.entries(inRounds).map(([k, byChart]) =>
      [k, Object.fromEntries(Object.entries(byChart).map(([c, v]) => [c, round(percentile(v, 0.5))]))])),
    staleDays: stale?.n ?? null,
    /** Chart queries over 100 ms, and the page's long tasks during the whole step, by start time. */
    slowCharts: slowest,
    longTasks: (observer.disconnect(), longTasks),
  };
}
