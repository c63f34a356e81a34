import { filterConditions, type ChartFilters } from '../charts/filters';
import { countRows, UNIT_MS, type Cube } from './cubes';

const ts = (ms: number) => `epoch_ms(${ms})`;
const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
const where = (conds: string[]) => (conds.length ? `WHERE ${conds.join(' AND ')}` : '');

/**
 * `ts, keys…, n` for the toots under `f`, exactly as counting the raw rows would give. The
 * instance and language filters are conditions on the cube's own columns. A time range is rarely
 * cut at the cube's buckets, so the buckets wholly inside it come from the cube and the part
 * buckets at its two ends from the raw rows of just those spans: each end a plain range on
 * `created_ts`, which DuckDB's zone maps narrow to the row groups holding it.
 */
export function cubeSource(cube: Cube, f: ChartFilters): string {
  const dims = filterConditions({ instances: f.instances, languages: f.languages });
  if (!cube.instances && (f.instances ?? []).some((v) => v !== '')) {
    throw new Error(`${cube.table} has no instance columns to filter on`);
  }
  const from = finite(f.from) ? Math.trunc(f.from) : null;
  const to = finite(f.to) ? Math.trunc(f.to) : null;
  if (from === null && to === null) return `SELECT * FROM ${cube.table} ${where(dims)}`;
  const unit = UNIT_MS[cube.unit];
  // Whole buckets inside [from, to): [lo, hi). Unbounded ends stay open.
  const lo = from === null ? null : Math.ceil(from / unit) * unit;
  const hi = to === null ? null : Math.floor(to / unit) * unit;
  const raw = (a: number | null, b: number | null) => {
    if (a !== null && b !== null && a >= b) return [];
    const span = [...(a === null ? [] : [`created_ts >= ${ts(a)}`]), ...(b === null ? [] : [`created_ts < ${ts(b)}`])];
    return [countRows(cube, 'toot_store', where([...span, ...dims]))];
  };
  if (lo !== null && hi !== null && lo >= hi) return raw(from, to)[0] ?? `SELECT * FROM ${cube.table} WHERE FALSE`;
  const whole = [...(lo === null ? [] : [`ts >= ${ts(lo)}`]), ...(hi === null ? [] : [`ts < ${ts(hi)}`])];
  const parts = [
    `SELECT * FROM ${cube.table} ${where([...whole, ...dims])}`,
    ...(from === null || lo === null ? [] : raw(from, lo)),
    ...(to === null || hi === null ? [] : raw(hi, to)),
  ];
  return parts.join('\nUNION ALL ');
}
