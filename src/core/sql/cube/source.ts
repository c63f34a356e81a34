import { filterConditions, type ChartFilters } from '../charts/filters';
import { canFilter, countRows, UNIT_MS, type Cube, type CubeUnit } from './cubes';

const ts = (ms: number) => `epoch_ms(${ms})`;
const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
/** `WHERE` and the conditions ANDed, or nothing. */
export const where = (conds: string[]) => (conds.length ? `WHERE ${conds.join(' AND ')}` : '');

/**
 * How a time range splits over a cube's buckets: `whole`, the conditions on `ts` of the buckets
 * wholly inside it (null: none is), and `edges`, the conditions on `created_ts` of each part
 * bucket at its two ends, to be read from the raw rows. A range is rarely cut at the buckets.
 */
export function timeParts(unit: CubeUnit, f: ChartFilters): { whole: string[] | null; edges: string[][] } {
  const from = finite(f.from) ? Math.trunc(f.from) : null;
  const to = finite(f.to) ? Math.trunc(f.to) : null;
  if (from === null && to === null) return { whole: [], edges: [] };
  const size = UNIT_MS[unit];
  // Whole buckets inside [from, to): [lo, hi). Unbounded ends stay open.
  const lo = from === null ? null : Math.ceil(from / size) * size;
  const hi = to === null ? null : Math.floor(to / size) * size;
  const raw = (a: number | null, b: number | null): string[][] => {
    if (a !== null && b !== null && a >= b) return [];
    return [[...(a === null ? [] : [`created_ts >= ${ts(a)}`]), ...(b === null ? [] : [`created_ts < ${ts(b)}`])]];
  };
  if (lo !== null && hi !== null && lo >= hi) return { whole: null, edges: raw(from, to) };
  return {
    whole: [...(lo === null ? [] : [`ts >= ${ts(lo)}`]), ...(hi === null ? [] : [`ts < ${ts(hi)}`])],
    edges: [...(from === null || lo === null ? [] : raw(from, lo)), ...(to === null || hi === null ? [] : raw(hi, to))],
  };
}

/**
 * `ts, keys…, n` for the toots under `f`, exactly as counting the raw rows would give. The
 * instance and language filters are conditions on the cube's own columns. Under a time range
 * the buckets wholly inside it come from the cube and the part buckets at its two ends from the
 * raw rows of just those spans: each end a plain range on `created_ts`, which DuckDB's zone maps
 * narrow to the row groups holding it.
 */
export function cubeSource(cube: Cube, f: ChartFilters): string {
  const dims = filterConditions({ instances: f.instances, languages: f.languages });
  if (!canFilter(cube, f)) {
    throw new Error(`${cube.table} has no instance columns to filter on`);
  }
  const { whole, edges } = timeParts(cube.unit, f);
  const parts = [
    ...(whole ? [`SELECT * FROM ${cube.table} ${where([...whole, ...dims])}`] : []),
    ...edges.map((span) => countRows(cube, 'toot_store', where([...span, ...dims]))),
  ];
  return parts.length ? parts.join('\nUNION ALL ') : `SELECT * FROM ${cube.table} WHERE FALSE`;
}
