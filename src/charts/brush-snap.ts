import { GRAIN_MINUTES, type TimeGrain } from '../core/sql/charts/filters';

const DAY_MINUTES = 1440;

/**
 * A drag across a time chart, `[a, b]` in the chart's own (local) time, moved to the nearest
 * edges of its buckets, as d3's brush-snapping example does: the bars are what a person selects,
 * and the dashboard's cubes answer whole hours and days from their cells, where a part hour
 * at each end is counted from the raw rows. Weeks and months snap to days (their edges are
 * days). A drag within one bucket keeps that bucket.
 */
export function snapBrush([a, b]: [number, number], grain: TimeGrain): [number, number] {
  const size = Math.min(GRAIN_MINUTES[grain], DAY_MINUTES) * 60_000;
  const from = Math.round(a / size) * size;
  const to = Math.round(b / size) * size;
  if (to > from) return [from, to];
  const start = Math.floor(Math.min(a, b) / size) * size;
  return [start, Math.max(start + size, Math.ceil(Math.max(a, b) / size) * size)];
}

/**
 * The time filter a drag across a time chart sets: snapped (`snapBrush`) in the chart's time,
 * which is UTC shifted by the zone's `offsetMinutes`, then shifted back.
 */
export function brushedRange(range: [number, number], grain: TimeGrain, offsetMinutes: number): [number, number] {
  const shift = offsetMinutes * 60_000;
  const [a, b] = snapBrush(range, grain);
  return [a - shift, b - shift];
}
