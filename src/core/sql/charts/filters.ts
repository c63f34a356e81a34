/**
 * The cross-filter every chart query starts from, and its URL form. Pure: no DOM.
 *
 * An instance value names one of two things, told apart by its form (the forms SCHEMA.md gives):
 * a host such as `mastodon.social` is the author's server (`from_instance`); a base URL such as
 * `https://mastodon.social` is an instance posts were collected from (an element of `seen_on`).
 * Values of one kind are OR-ed, kinds are AND-ed (time range, instances, languages).
 */
export interface ChartFilters {
  /** Epoch milliseconds, inclusive. */
  from?: number;
  /** Epoch milliseconds, exclusive. */
  to?: number;
  instances?: string[];
  languages?: string[];
}

/** A SQL string literal. NUL cannot be part of a DuckDB string literal, so it is dropped. */
export const sqlString = (s: string): string => `'${String(s).replaceAll('\0', '').replaceAll("'", "''")}'`;

/** `https://host` (collected from) rather than a bare host (author's server). */
export const isCollectedFrom = (v: string): boolean => /^https?:\/\//i.test(v);

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** An integer within ±limit, or the fallback: numbers spliced into SQL go through here. */
export function sqlInt(n: unknown, fallback: number, limit = 1e9): number {
  if (!finite(n)) return fallback;
  return Math.max(-limit, Math.min(limit, Math.trunc(n)));
}

/** The filter's conditions on `toots` columns (no alias), each a complete boolean expression. */
export function filterConditions(f: ChartFilters): string[] {
  const out: string[] = [];
  if (finite(f.from)) out.push(`created_ts >= epoch_ms(${Math.trunc(f.from)})`);
  if (finite(f.to)) out.push(`created_ts < epoch_ms(${Math.trunc(f.to)})`);
  const values = (f.instances ?? []).filter((v) => v !== '');
  const authors = values.filter((v) => !isCollectedFrom(v));
  const collected = values.filter(isCollectedFrom);
  const any: string[] = [];
  if (authors.length) any.push(`from_instance IN (${authors.map(sqlString).join(', ')})`);
  // One list_contains per value, not list_has_any(seen_on, [...]): at 1.6 M toots the dashboard's
  // round under one collecting instance took 693 ms with list_has_any and 431 ms this way (native
  // DuckDB on one thread; the cubes' rows are each tested once per chart).
  for (const v of collected) any.push(`list_contains(seen_on, ${sqlString(v)})`);
  if (any.length) out.push(any.length > 1 ? `(${any.join(' OR ')})` : any[0]!);
  const langs = (f.languages ?? []).filter((v) => v !== '');
  if (langs.length) out.push(`language IN (${langs.map(sqlString).join(', ')})`);
  return out;
}

export function whereSql(f: ChartFilters): string {
  const c = filterConditions(f);
  return c.length ? `WHERE ${c.join(' AND ')}` : '';
}

/** `f AS (…)`: the filtered toots, the first CTE of every chart query. */
export function filteredCte(f: ChartFilters, name = 'f'): string {
  return `${name} AS (SELECT * FROM toots ${whereSql(f)})`;
}

/**
 * `created_ts` moved by a fixed offset (minutes east of UTC, as computed in JS from the browser's
 * zone). No ICU: plain TIMESTAMP arithmetic, so the result reads as wall-clock time there.
 */
export function shiftedTs(offsetMinutes: number | undefined, column = 'created_ts'): string {
  const n = sqlInt(offsetMinutes ?? 0, 0, 24 * 60);
  return n === 0 ? column : `(${column} + INTERVAL (${n}) MINUTE)`;
}

/** The browser's current offset from UTC in minutes (east positive). */
export const browserOffsetMinutes = (at: Date = new Date()): number => -at.getTimezoneOffset();

/** `'%word%'` for `ILIKE … ESCAPE '\'`, with `\`, `%` and `_` in the word matched literally. */
export function containsPattern(word: string): string {
  return sqlString(`%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
}

export type TimeGrain = 'minute' | 'hour' | 'day' | 'week' | 'month';
/**
 * A month's minutes are its longest (31 days): what sizes grids and caps windows. Month buckets
 * themselves are calendar months (date_trunc, grainGridSql), never 31-day steps.
 */
export const GRAIN_MINUTES: Record<TimeGrain, number> = { minute: 1, hour: 60, day: 1440, week: 10080, month: 31 * 1440 };
export const GRAINS = Object.keys(GRAIN_MINUTES) as TimeGrain[];
/** What "auto" picks from: months are offered (the mybinder notebook's), never chosen for the reader. */
const AUTO_GRAINS: TimeGrain[] = ['minute', 'hour', 'day', 'week'];
export const isGrain = (g: unknown): g is TimeGrain => typeof g === 'string' && g in GRAIN_MINUTES;

/**
 * Most buckets a time grid holds. The grid runs from the first bucket to the last, so one post
 * dated far from the others (an import can bring one) once asked for billions of buckets and ran
 * DuckDB out of memory on every reload (issue 14). The grid ends at the newest bucket.
 */
export const MAX_GRID_BUCKETS = 10_000;

/** `SELECT … AS alias FROM rel`: every bucket of `stepMinutes` from the first to the last, at most MAX_GRID_BUCKETS. */
export function bucketGridSql(col: string, rel: string, stepMinutes: number, alias = col): string {
  const step = Math.max(1, Math.trunc(stepMinutes));
  return `SELECT unnest(generate_series(greatest(min(${col}), max(${col}) - INTERVAL (${step * (MAX_GRID_BUCKETS - 1)}) MINUTE),
  max(${col}), INTERVAL (${step}) MINUTE)) AS ${alias} FROM ${rel}`;
}

/** Every bucket of `grain` from the first to the last: calendar months for `month`. */
export function grainGridSql(col: string, rel: string, grain: TimeGrain, alias = col): string {
  if (grain !== 'month') return bucketGridSql(col, rel, GRAIN_MINUTES[grain], alias);
  return `SELECT unnest(generate_series(greatest(min(${col}), max(${col}) - INTERVAL (${MAX_GRID_BUCKETS - 1}) MONTH),
  max(${col}), INTERVAL 1 MONTH)) AS ${alias} FROM ${rel}`;
}

/** The finest grain that keeps a span of `spanMs` within `maxBuckets` buckets. */
export function chooseGrain(spanMs: number, maxBuckets = 1500): TimeGrain {
  for (const g of AUTO_GRAINS) if (spanMs / (GRAIN_MINUTES[g] * 60_000) <= maxBuckets) return g;
  return 'week';
}

// ---------------------------------------------------------------------------------------------
// URL form: ?from=2026-11-23T12:00:00Z&to=…&instance=mastodon.social,https://fosstodon.org&lang=en,ja

const FILTER_KEYS = ['from', 'to', 'instance', 'lang'] as const;

function parseTime(s: string | null): number | undefined {
  if (!s) return undefined;
  if (/^-?\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

const list = (s: string | null): string[] =>
  [...new Set((s ?? '').split(',').map((x) => x.trim()).filter(Boolean))];

export function parseFilterParams(search: string): ChartFilters {
  const q = new URLSearchParams(search);
  const f: ChartFilters = {};
  const from = parseTime(q.get('from'));
  const to = parseTime(q.get('to'));
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  const instances = list(q.get('instance'));
  const languages = list(q.get('lang'));
  if (instances.length) f.instances = instances;
  if (languages.length) f.languages = languages;
  return f;
}

/** ISO-8601 UTC without zero milliseconds: `2026-11-23T12:00:00Z`. */
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Keeps `:`, `/`, `,` and `@` readable; they are legal in a query string. */
const encode = (s: string): string =>
  encodeURIComponent(s).replace(/%(3A|2F|2C|40)/gi, (m) => decodeURIComponent(m));

/**
 * `search` with the filter parameters replaced by `f`'s. Every other parameter (`instances`,
 * `demo`, …) is kept byte for byte, in its place; ours go at the end.
 */
export function writeFilterParams(search: string, f: ChartFilters): string {
  const body = search.startsWith('?') ? search.slice(1) : search;
  const ours = new Set<string>(FILTER_KEYS);
  const kept = body
    .split('&')
    .filter((p) => p !== '')
    .filter((p) => {
      const key = p.split('=')[0] ?? '';
      let name = key;
      try {
        name = decodeURIComponent(key.replaceAll('+', ' '));
      } catch {
        /* keep as written */
      }
      return !ours.has(name);
    });
  const add: string[] = [];
  if (finite(f.from)) add.push(`from=${encode(isoTime(f.from))}`);
  if (finite(f.to)) add.push(`to=${encode(isoTime(f.to))}`);
  if (f.instances?.length) add.push(`instance=${f.instances.map(encode).join(',')}`);
  if (f.languages?.length) add.push(`lang=${f.languages.map(encode).join(',')}`);
  const all = [...kept, ...add];
  return all.length ? `?${all.join('&')}` : '';
}
