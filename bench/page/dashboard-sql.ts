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
