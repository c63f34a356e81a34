import {
  activitySql, chooseGrain, dailySql, defaultWindowMinutes, GRAIN_MINUTES, hourlySql, type ChartFilters,
} from '../../src/core/sql/charts';
import {
  cubeActivitySql, cubeAppsSql, cubeDailySql, cubeHashtagsSql, cubeHourlySql, cubeLanguagesSql, cubeLengthsSql, cubeOverlapSql, cubeSpan,
} from '../../src/core/sql/cube/charts';
import type { BrowserDb } from '../../src/db/duckdb-browser';
import { say } from './say';
import { now, percentile, round } from './stats';

/**
 * The dashboard's queries as ChartsState runs them (src/ui/charts-state.svelte.ts: UTC, the
 * activity grain and window chosen from the span, the cube first and the raw SQL where it has
 * none), timed per chart and as whole rounds after a filter click or a brush.
 */
type Step = [name: string, run: () => Promise<unknown>];

async function round0(db0: BrowserDb, f: ChartFilters): Promise<Step[]> {
  const q = <R>(sql: string) => db0.query<R>(sql);
  const steps: Step[] = [];
  let spanMs = 0;
  steps.push(['span', async () => {
    const s = await cubeSpan(q, f);
    spanMs = s.first != null && s.last != null ? s.last - s.first : 0;
  }]);
  const sql = (name: string, text: () => string) => steps.push([name, () => q(text())]);
  sql('activity', () => {
    const grain = chooseGrain(spanMs);
    const a = { grain, by: 'from_instance' as const, topN: 8, windowMinutes: Math.max(defaultWindowMinutes(spanMs), GRAIN_MINUTES[grain]), offsetMinutes: 0 };
    return cubeActivitySql(f, a) ?? activitySql(f, a);
  });
  sql('languages', () => cubeLanguagesSql(f));
  sql('daily', () => cubeDailySql(f) ?? dailySql(f));
  sql('hourly', () => cubeHourlySql(f) ?? hourlySql(f));
  sql('apps', () => cubeAppsSql(f));
  sql('hashtags', () => cubeHashtagsSql(f));
  sql('lengths', () => cubeLengthsSql(f));
  sql('overlap', () => cubeOverlapSql(f));
  return steps;
}

/** The unfiltered dashboard's chart queries, in the order ChartsState runs them. */
export const dashboardQueries = (db0: BrowserDb) => round0(db0, {});

const p95 = (xs: number[]) => percentile(xs, 0.95);

export async function chartTimings(db0: BrowserDb, runs: number) {
  // Per chart, unfiltered: a warm-up, then `runs` timed rounds.
  const perChart: Record<string, number[]> = {};
  for (let r = 0; r <= runs; r++) {
    for (const [name, run] of await round0(db0, {})) {
      say(`chart ${name}`);
      const t0 = now();
      await run();
      if (r > 0) (perChart[name] ??= []).push(now() - t0);
    }
  }
  const charts = Object.fromEntries(Object.entries(perChart).map(([k, v]) => [k, round(p95(v))]));
  const worst = Object.entries(charts).reduce((a, b) => (b[1] > a[1] ? b : a), ['', -1]);

  // Interactions: the busiest language, author instance and collecting instance, a brush over the
  // middle third of the span (whole minutes, as a drag gives), and combinations of two.
  const [top] = await db0.query<{ lang: string; inst: string; base: string; lo: number; hi: number }>(`SELECT
    (SELECT language FROM agg_hour GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1) AS lang,
    (SELECT from_instance FROM agg_hour GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1) AS inst,
    (SELECT base_url FROM agg_hour GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1) AS base,
    epoch_ms(min(ts))::DOUBLE AS lo, epoch_ms(max(ts))::DOUBLE AS hi FROM agg_hour`);
  const t = top!;
  const third = (t.hi - t.lo) / 3;
  const brush = { from: Math.round((t.lo + third) / 60_000) * 60_000, to: Math.round((t.lo + 2 * third) / 60_000) * 60_000 };
  const interactions: Array<[string, ChartFilters]> = [
    ['language', { languages: [t.lang] }],
    ['instance', { instances: [t.inst] }],
    ['collected', { instances: [t.base] }],
    ['brush', brush],
    ['brush+language', { ...brush, languages: [t.lang] }],
    ['language+instance', { languages: [t.lang], instances: [t.inst] }],
  ];
  const rounds: Record<string, number[]> = {};
  for (let r = 0; r <= runs; r++) {
    for (const [name, f] of interactions) {
      say(`interaction ${name}`);
      const t0 = now();
      for (const [, run] of await round0(db0, f)) await run();
      if (r > 0) (rounds[name] ??= []).push(now() - t0);
    }
  }
  const all = Object.values(rounds).flat();
  return {
    chart_query_p95_ms: round(worst[1]),
    worstChart: worst[0],
    charts,
    interaction_p95_ms: round(p95(all)),
    interactions: Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, round(p95(v))])),
  };
}
