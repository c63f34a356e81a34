import { filterConditions, type ChartFilters } from '../charts/filters';
import { canFilter, columns, countRows, HOUR_COLUMNS, UNIT_MS, type Cube, type CubeUnit } from './cubes';

const ts = (ms: number) => `epoch_ms(${ms})`;
const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
/** `WHERE` and the conditions ANDed, or nothing. */
export const where = (conds: string[]) => (conds.length ? `WHERE ${conds.join(' AND ')}` : '');

/** Whole hours `[from, to)` (ms) of the UTC day starting at `day`. */
export interface PartDay {
  day: number;
  from: number;
  to: number;
}

export interface TimeParts {
  /** The conditions on `ts` of the buckets wholly inside the range; null: none is. */
  whole: string[] | null;
  /** With `byHour`: the whole hours of the days the range cuts, for a cube's hour columns. */
  hours: PartDay[];
  /** The conditions on `created_ts` of each part bucket (part hour with `byHour`) at the ends, to be read from the raw rows. */
  edges: string[][];
}

const HOUR_MS = UNIT_MS.hour;
const DAY_MS = UNIT_MS.day;

/**
 * How a time range splits over a cube's buckets: the buckets wholly inside it, and at its two
 * ends the part buckets, read from the raw rows as a plain range on `created_ts` (which DuckDB's
 * zone maps narrow to the row groups holding it). With `byHour` (a day cube that keeps its
 * hours), a part day is its whole hours from the cube and only the part hours from the raw rows.
 * A range is rarely cut at the buckets.
 */
export function timeParts(unit: CubeUnit, f: ChartFilters, byHour = false): TimeParts {
  const from = finite(f.from) ? Math.trunc(f.from) : null;
  const to = finite(f.to) ? Math.trunc(f.to) : null;
  if (from === null && to === null) return { whole: [], hours: [], edges: [] };
  const raw = (a: number | null, b: number | null): string[][] => {
    if (a !== null && b !== null && a >= b) return [];
    return [[...(a === null ? [] : [`created_ts >= ${ts(a)}`]), ...(b === null ? [] : [`created_ts < ${ts(b)}`])]];
  };
  // Whole buckets (whole hours first with `byHour`) inside [from, to): [lo, hi). Unbounded ends stay open.
  const step = byHour ? HOUR_MS : UNIT_MS[unit];
  const lo = from === null ? null : Math.ceil(from / step) * step;
  const hi = to === null ? null : Math.floor(to / step) * step;
  if (lo !== null && hi !== null && lo >= hi) return { whole: null, hours: [], edges: raw(from, to) };
  const edges = [...(from === null || lo === null ? [] : raw(from, lo)), ...(to === null || hi === null ? [] : raw(hi, to))];
  if (!byHour) {
    return { whole: [...(lo === null ? [] : [`ts >= ${ts(lo)}`]), ...(hi === null ? [] : [`ts < ${ts(hi)}`])], hours: [], edges };
  }
  // Whole days inside the whole hours [lo, hi): [dLo, dHi); the hours either side are part days.
  const dLo = lo === null ? null : Math.ceil(lo / DAY_MS) * DAY_MS;
  const dHi = hi === null ? null : Math.floor(hi / DAY_MS) * DAY_MS;
  const part = (a: number, b: number): PartDay[] => (a < b ? [{ day: Math.floor(a / DAY_MS) * DAY_MS, from: a, to: b }] : []);
  if (lo !== null && hi !== null && dLo! >= dHi!) {
    // No whole day: the hours lie in one day, or two either side of a midnight.
    const midnight = Math.floor(lo / DAY_MS) * DAY_MS + DAY_MS;
    return { whole: null, hours: [...part(lo, Math.min(hi, midnight)), ...part(midnight, hi)], edges };
  }
  return {
    whole: [...(dLo === null ? [] : [`ts >= ${ts(dLo)}`]), ...(dHi === null ? [] : [`ts < ${ts(dHi)}`])],
    hours: [...(lo === null ? [] : part(lo, dLo!)), ...(hi === null ? [] : part(dHi!, hi))],
    edges,
  };
}

/** `ts, keys…, n` of a part day: its cells' counts over the hours `[from, to)`, where not 0. */
export function partDayCells(cube: Cube, p: PartDay, conds: string[]): string {
  const first = (p.from - p.day) / HOUR_MS;
  const sum = HOUR_COLUMNS.slice(first, (p.to - p.day) / HOUR_MS).join(' + ');
  return `SELECT * FROM (SELECT ${columns(cube).join(', ')}, (${sum})::BIGINT AS n FROM ${cube.table} ${where([`ts = ${ts(p.day)}`, ...conds])}) WHERE n <> 0`;
}

/**
 * `ts, keys…, n` for the toots under `f`, exactly as counting the raw rows would give. The
 * instance and language filters are conditions on the cube's own columns. Under a time range
 * the buckets wholly inside it come from the cube and the part buckets at its two ends as
 * `timeParts` splits them.
 */
export function cubeSource(cube: Cube, f: ChartFilters): string {
  const dims = filterConditions({ instances: f.instances, languages: f.languages });
  if (!canFilter(cube, f)) {
    throw new Error(`${cube.table} has no instance columns to filter on`);
  }
  const { whole, hours, edges } = timeParts(cube.unit, f, cube.hours);
  const cells = `${columns(cube).join(', ')}, n`;
  const parts = [
    ...(whole ? [`SELECT ${cells} FROM ${cube.table} ${where([...whole, ...dims])}`] : []),
    ...hours.map((p) => partDayCells(cube, p, dims)),
    ...edges.map((span) => countRows(cube, 'toot_store', where([...span, ...dims]))),
  ];
  return parts.length ? parts.join('\nUNION ALL ') : `SELECT ${cells} FROM ${cube.table} WHERE FALSE`;
}
