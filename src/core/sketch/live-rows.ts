import type { LiveRow, RowBatch } from './protocol';

/**
 * What crosses between the page and the sketch worker (rows packed into one string plus typed
 * arrays, so posting them costs no per-row structured clone), and the exact DuckDB figures the
 * panel shows beside the estimates.
 */

/** Exact counterparts of the sketched figures, from DuckDB's deduplicated `toots` (deletes applied). */
export function exactLiveSql(instance: string | null): string {
  const where = instance === null ? '' : ` WHERE base_url = '${instance.replaceAll("'", "''")}'`;
  return `SELECT toots, users, q[1] AS p50, q[2] AS p90, q[3] AS p99 FROM (
  SELECT count(*)::INTEGER AS toots, count(DISTINCT acct)::INTEGER AS users,
         quantile_cont(characters, [0.5, 0.9, 0.99])::DOUBLE[] AS q
  FROM toots${where})`;
}

export interface ExactFigures {
  toots: number;
  users: number;
  /** null when there are no rows. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** The fields of a full row (`TootRow`) the sketches read. */
export interface SketchedFields {
  uri: string;
  base_url: string;
  language: string;
  mastodon_text: string;
  hashtags: string[];
  acct: string;
  characters: number;
  created_ts: number;
}

/** The slim record the worker needs, from a full row. */
export function liveRow(row: SketchedFields): LiveRow {
  return {
    uri: row.uri,
    base: row.base_url,
    lang: row.language,
    text: row.mastodon_text,
    tags: row.hashtags,
    acct: row.acct,
    chars: row.characters,
    ts: row.created_ts,
  };
}

const STRINGS_PER_ROW = 6;
const NUMBERS_PER_ROW = 2;

/** Packs rows for the worker (see RowBatch). Runs on the page's thread: no per-row objects. */
export function encodeRows(rows: readonly SketchedFields[]): RowBatch {
  const n = rows.length;
  const parts = new Array<string>(n * STRINGS_PER_ROW);
  const lengths = new Uint32Array(n * STRINGS_PER_ROW);
  const numbers = new Float64Array(n * NUMBERS_PER_ROW);
  for (let i = 0, s = 0; i < n; i++) {
    const r = rows[i]!;
    const tags = r.hashtags.length ? r.hashtags.join(' ') : '';
    lengths[s] = r.uri.length;
    parts[s++] = r.uri;
    lengths[s] = r.base_url.length;
    parts[s++] = r.base_url;
    lengths[s] = r.language.length;
    parts[s++] = r.language;
    lengths[s] = r.mastodon_text.length;
    parts[s++] = r.mastodon_text;
    lengths[s] = tags.length;
    parts[s++] = tags;
    lengths[s] = r.acct.length;
    parts[s++] = r.acct;
    numbers[i * NUMBERS_PER_ROW] = r.characters;
    numbers[i * NUMBERS_PER_ROW + 1] = r.created_ts;
  }
  return { count: n, strings: parts.join(''), lengths, numbers };
}

/** Unpacks a RowBatch (in the worker). Throws on a batch whose parts do not add up. */
export function decodeRows(batch: RowBatch): LiveRow[] {
  const { count, strings, lengths, numbers } = batch;
  if (lengths.length !== count * STRINGS_PER_ROW || numbers.length !== count * NUMBERS_PER_ROW) {
    throw new RangeError(`row batch of ${count} rows has ${lengths.length} lengths and ${numbers.length} numbers`);
  }
  const out = new Array<LiveRow>(count);
  let at = 0;
  const next = (i: number): string => {
    const end = at + lengths[i]!;
    if (end > strings.length) throw new RangeError('row batch strings are shorter than their lengths');
    const v = strings.slice(at, end);
    at = end;
    return v;
  };
  for (let i = 0, s = 0; i < count; i++, s += STRINGS_PER_ROW) {
    const uri = next(s);
    const base = next(s + 1);
    const lang = next(s + 2);
    const text = next(s + 3);
    const tags = next(s + 4);
    const acct = next(s + 5);
    out[i] = {
      uri, base, lang, text, acct,
      tags: tags ? tags.split(' ') : [],
      chars: numbers[i * NUMBERS_PER_ROW]!,
      ts: numbers[i * NUMBERS_PER_ROW + 1]!,
    };
  }
  if (at !== strings.length) throw new RangeError('row batch strings are longer than their lengths');
  return out;
}
