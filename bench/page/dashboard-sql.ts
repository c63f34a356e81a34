import {
  activitySql, chooseGrain, dailySql, defaultWindowMinutes, GRAIN_MINUTES, hourlySql, type ChartFilters, type SpanRow,
} from '../../src/core/sql/charts';
import {
  cubeActivitySql, cubeAppsSql, cubeDailySql, cubeHashtagsSql, cubeHourlySql, cubeLanguagesSql, cubeLengthsSql, cubeOverlapSql,
} from '../../src/core/sql/cube/charts';

/** Each default chart's SQL as ChartsState builds it, once the span is known. */
export function dashboardSql(f: ChartFilters, span: SpanRow | null): Array<[name: string, sql: string]> {
  const spanMs = span?.first != null && span.last != null ? span.last - span.first : 0;
  const grain = chooseGrain(spanMs);
  const a = { grain, by: 'from_instance' as const, topN: 8, windowMinutes: Math.max(defaultWindowMinutes(spanMs), GRAIN_MINUTES[grain]), offsetMinutes: 0 };
  return [
    ['activity', cubeActivitySql(f, a) ?? activitySql(f, a)],
    ['languages', cubeLanguagesSql(f)],
    ['daily', cubeDailySql(f) ?? dailySql(f)],
    ['hourly', cubeHourlySql(f) ?? hourlySql(f)],
    ['apps', cubeAppsSql(f)],
    ['hashtags', cubeHashtagsSql(f)],
    ['lengths', cubeLengthsSql(f)],
    ['overlap', cubeOverlapSql(f)],
  ];
}

/** What the interaction rounds filter on: the busiest language, author's and collecting instance, and the span. */
export interface InteractionPicks {
  lang: string;
  inst: string;
  base: string;
  lo: number;
  hi: number;
}

export const INTERACTION_PICKS_SQL = `SELECT
    (SELECT language FROM agg_hour GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1) AS lang,
    (SELECT from_instance FROM agg_hour GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1) AS inst,
    (SELECT base_url FROM agg_hour GROUP BY ALL ORDER BY sum(n) DESC LIMIT 1) AS base,
    epoch_ms(min(ts))::DOUBLE AS lo, epoch_ms(max(ts))::DOUBLE AS hi FROM agg_hour`;

/**
 * The bench's interaction rounds: a click on each pick, a brush over the middle third of the span
 * and combinations of two. The brush is at whole hours, as a drag across the activity chart
 * gives over a span of days (snapped to its hourly bars: src/charts/brush-snap.ts); the time
 * fields take any minute, and the part hours at its ends are then counted from the raw rows.
 */
export function interactionRounds({ lang, inst, base, lo, hi }: InteractionPicks): Array<[name: string, filters: ChartFilters]> {
  const third = (hi - lo) / 3;
  const hour = (t: number) => Math.round(t / 3_600_000) * 3_600_000;
  const brush = { from: hour(lo + third), to: hour(lo + 2 * third) };
  return [
    ['language', { languages: [lang] }],
    ['instance', { instances: [inst] }],
    ['collected', { instances: [base] }],
    ['brush', brush],
    ['brush+language', { ...brush, languages: [lang] }],
    ['language+instance', { languages: [lang], instances: [inst] }],
  ];
}
