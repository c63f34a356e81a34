/**
 * Local time in the SQL console without ICU (issue 17). duckdb-wasm is built without ICU, so
 * `AT TIME ZONE`, `SET TimeZone` and TIMESTAMPTZ arithmetic fail offline. The browser knows its
 * zone's rules (Intl, through Date), so the page writes them down as a small table of offsets,
 * one row per period between two changes (DST or a change of the zone's law), and the console
 * adds the offset in force at each moment: DST-correct for every date, not today's offset.
 *
 * - `zone_offsets (from_ts, to_ts, offset_minutes, zone)`: UTC wall-clock bounds, [from, to).
 * - `local_time(ts)`: a UTC TIMESTAMP (`created_ts`, `created_tz`) as local wall-clock time.
 * - `toots_local`: `toots` plus `created_local`, the listed way to the same.
 */

export interface ZoneOffset {
  /** Start of the period, epoch ms; -Infinity for the first. */
  from: number;
  /** End (exclusive), epoch ms; Infinity for the last. */
  to: number;
  /** Minutes east of UTC. */
  offset: number;
}

/** Minutes east of UTC at `ms` in the running environment's zone. */
export const environmentOffset = (ms: number): number => -new Date(ms).getTimezoneOffset();

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Posts are dated from 2000 on (status-schema.ts); two years ahead covers a page left open. */
const FIRST = Date.UTC(2000, 0, 1);
const yearsAhead = (now: number) => now + 2 * 366 * DAY;

/**
 * The periods of constant offset between `fromMs` and `toMs`. Sampled daily (zones change at
 * most a few times a year, never twice in a day), each change then found to the minute.
 */
export function zoneOffsets(offsetAt: (ms: number) => number = environmentOffset, fromMs = FIRST, toMs = yearsAhead(Date.now())): ZoneOffset[] {
  const out: ZoneOffset[] = [];
  let start = -Infinity;
  let current = offsetAt(fromMs);
  for (let t = fromMs; t < toMs; t += DAY) {
    const next = offsetAt(t + DAY);
    if (next === current) continue;
    // The first minute in (t, t + DAY] with the new offset.
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.max(1, Math.floor((hi - lo) / 2 / MINUTE)) * MINUTE;
      if (offsetAt(mid) === current) lo = mid;
      else hi = mid;
    }
    out.push({ from: start, to: hi, offset: current });
    start = hi;
    current = offsetAt(hi);
  }
  out.push({ from: start, to: Infinity, offset: current });
  return out;
}

const ts = (ms: number): string =>
  ms === -Infinity ? "TIMESTAMP '1900-01-01'" : ms === Infinity ? "TIMESTAMP '9999-12-31'"
    : `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

/** The browser's zone name for the table (`Europe/Berlin`), or null where Intl cannot say. */
export function environmentZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}

/** Statements (re)creating the table, the macro and the view; run on every open, as the zone may have changed. */
export function localTimeStatements(periods: readonly ZoneOffset[], zone: string | null = environmentZone()): string[] {
  const name = zone === null ? 'NULL' : `'${zone.replaceAll("'", "''")}'`;
  const rows = periods.map((p) => `(${ts(p.from)}, ${ts(p.to)}, ${Math.trunc(p.offset)}, ${name})`);
  return [
    'CREATE OR REPLACE TABLE zone_offsets (from_ts TIMESTAMP, to_ts TIMESTAMP, offset_minutes INTEGER, zone VARCHAR)',
    `INSERT INTO zone_offsets VALUES ${rows.join(', ')}`,
    `CREATE OR REPLACE MACRO local_time(ts) AS
       ts + to_minutes((SELECT z.offset_minutes FROM zone_offsets z WHERE ts >= z.from_ts AND ts < z.to_ts))`,
    `CREATE OR REPLACE VIEW toots_local AS SELECT t.*, t.created_ts + to_minutes(z.offset_minutes) AS created_local
       FROM toots t LEFT JOIN zone_offsets z ON t.created_ts >= z.from_ts AND t.created_ts < z.to_ts`,
  ];
}
