import {
  DataType, RecordBatch, Struct, Table, TimeUnit, Timestamp, makeData, tableFromIPC, tableToIPC, type Data,
} from 'apache-arrow';
import { unzipSync } from 'fflate';
import { TOOT_SCHEMA, tootsToRecordBatch } from '../../core/arrow-batch';
import { TOOT_COLUMNS, type ColumnKind, type TootRow } from '../../core/toot';
import type { ParquetCodec } from '../archive/snapshot';
import { column, str, int, bool, big, seconds, convert, type Column } from './import-values';

/**
 * Parquet → rows of our `toots` table, as Arrow IPC batches shaped exactly like the collector's
 * (TOOT_SCHEMA, as `tootsToIPC` builds them), so an import is stored and merged like any other
 * batch: deduplicated by `uri`, replayed after a reload. Two kinds of file are understood:
 *
 * - `tootscope`: all 36 columns of SCHEMA.md (our Export Parquet, a part of our Hive zip, or what
 *   another engine wrote from them). Our exports mark timestamps UTC (TIMESTAMP WITH TIME ZONE);
 *   they are turned back into plain UTC microsecond timestamps here in Arrow JS, never in
 *   DuckDB-WASM (time zone functions need ICU, which cannot load offline: DUCKDB-WASM.md).
 *   Sub-millisecond digits are rounded to the millisecond, the precision we collect at.
 * - `notebook`: the original Kafka → Parquet notebook's columns only (SCHEMA.md, first table).
 *   The rest is derived; see `notebookRow`.
 *
 * DuckDB-WASM has no Parquet reader offline, so parquet-wasm reads the file (`codec.read`: in the
 * page, the parquet worker). The whole file is decoded at once, then converted 10 k rows at a time.
 */

export const NOTEBOOK_COLUMNS = [
  'm_id', 'created_at', 'created_at_str', 'app', 'url', 'base_url', 'language', 'favourites',
  'username', 'bot', 'tags', 'characters', 'words', 'mastodon_text',
] as const;
/** Without these a notebook row cannot become a toot; the other notebook columns default. */
const NOTEBOOK_REQUIRED = ['m_id', 'created_at', 'url', 'base_url', 'username'] as const;

export type ParquetFlavour = 'tootscope' | 'notebook';

export class ImportError extends Error {}

/** Rows per stored batch, like the collector's flushes (store/ingest.ts MAX_BATCH_ROWS). */
export const IMPORT_BATCH_ROWS = 10_000;

export function detectFlavour(names: readonly string[]): ParquetFlavour {
  const have = new Set(names);
  if (TOOT_COLUMNS.every(([n]) => have.has(n))) return 'tootscope';
  const missing = NOTEBOOK_REQUIRED.filter((n) => !have.has(n));
  if (!missing.length) return 'notebook';
  const ours = TOOT_COLUMNS.filter(([n]) => !have.has(n)).map(([n]) => n);
  throw new ImportError(
    ours.length < missing.length
      ? `not a Tootscope file: it lacks ${ours.join(', ')}`
      : `neither a Tootscope nor a notebook file: it lacks ${missing.join(', ')}`,
  );
}

const isParquet = (b: Uint8Array) =>
  b.byteLength >= 12 && String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!) === 'PAR1' &&
  String.fromCharCode(b[b.length - 4]!, b[b.length - 3]!, b[b.length - 2]!, b[b.length - 1]!) === 'PAR1';

/** Parquet bytes as an Arrow JS table. */
export async function parquetToArrow(codec: Pick<ParquetCodec, 'read'>, bytes: Uint8Array): Promise<Table> {
  if (!isParquet(bytes)) throw new ImportError('not a Parquet file (no PAR1 magic bytes)');
  let ipc: Uint8Array;
  try {
    ipc = await codec.read(bytes);
  } catch (err) {
    throw new ImportError(`could not read the Parquet file: ${(err as Error)?.message ?? String(err)}`);
  }
  return tableFromIPC(ipc);
}

/** The `.parquet` entries of a zip (our Hive export), by path. */
export function parquetEntriesOfZip(zip: Uint8Array): Array<[string, Uint8Array]> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, { filter: (f) => f.name.endsWith('.parquet') });
  } catch (err) {
    throw new ImportError(`could not read the zip: ${(err as Error).message}`);
  }
  return Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1));
}

export const isZip = (b: Uint8Array) => b.byteLength >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** `YYYY MM DD HH:MM:SS` in UTC, as the notebook (and normalize.ts) writes `created_at_str`. */
export function notebookTimeString(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)} ${iso.slice(5, 7)} ${iso.slice(8, 10)} ${iso.slice(11, 19)}`;
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

/** The Arrow type `kind` has in TOOT_SCHEMA (lists aside: their child's name may differ). */
function sameType(kind: ColumnKind, t: DataType): boolean {
  switch (kind) {
    case 'bigint':
    case 'seconds': return DataType.isInt(t) && t.bitWidth === 64 && t.isSigned;
    case 'int': return DataType.isInt(t) && t.bitWidth === 32 && t.isSigned;
    case 'bool': return DataType.isBool(t);
    case 'text': return DataType.isUtf8(t);
    default: return false;
  }
}

/**
 * Our own files, column by column without building row objects: a column whose Arrow type already
 * is ours is reused as it is (zero-copy); tz-aware microsecond timestamps are relabelled as plain
 * ones (same numbers: both count microseconds since the UTC epoch); other time units are rescaled.
 * Returns null when a batch needs the row-by-row path (a null where we never write one, an empty
 * uri, or a type we do not map here).
 */
export function fastBatch(batch: RecordBatch): RecordBatch | null {
  const children: Data[] = [];
  for (const [i, [name, kind]] of TOOT_COLUMNS.entries()) {
    const d = batch.getChild(name)?.data[0];
    const want = TOOT_SCHEMA.fields[i]!.type;
    if (!d || d.length !== batch.numRows) return null;
    if (kind !== 'ts' && kind !== 'bigint' && d.nullCount > 0) return null;
    if (kind === 'ts') {
      if (!DataType.isTimestamp(d.type)) return null;
      const unit = d.type.unit;
      if (unit === TimeUnit.MICROSECOND) {
        children.push(d.clone(want));
      } else {
        // `values` of a sliced Data start at the slice; its validity bitmap does not (bit `offset`).
        const src = (d.values as BigInt64Array).subarray(0, d.length);
        const scale = unit === TimeUnit.SECOND ? 1_000_000n : unit === TimeUnit.MILLISECOND ? 1000n : 1n;
        const values = unit === TimeUnit.NANOSECOND ? src.map((v) => v / 1000n) : src.map((v) => v * scale);
        let nullBitmap: Uint8Array | undefined;
        if (d.nullCount > 0 && d.nullBitmap) {
          const bits = d.nullBitmap;
          nullBitmap = new Uint8Array((d.length + 7) >> 3);
          for (let r = 0; r < d.length; r++) {
            const at = d.offset + r;
            if (bits[at >> 3]! & (1 << (at & 7))) nullBitmap[r >> 3]! |= 1 << (r & 7);
          }
        }
        children.push(makeData({ type: want as Timestamp, length: d.length, nullCount: d.nullCount, nullBitmap, data: values }));
      }
    } else if (sameType(kind, d.type)) {
      children.push(d.clone(want));
    } else if (kind === 'text[]' && DataType.isList(d.type) && DataType.isUtf8(d.type.children[0]!.type) && !d.children[0]!.nullCount) {
      children.push(d.clone(want));
    } else {
      return null;
    }
  }
  // Every row needs a uri: the merge's dedup key.
  const uri = children[TOOT_COLUMNS.findIndex(([n]) => n === 'uri')]!;
  const offsets = uri.valueOffsets;
  for (let r = 0; r < uri.length; r++) if (offsets[r + 1]! <= offsets[r]!) return null;
  const created = children[TOOT_COLUMNS.findIndex(([n]) => n === 'created_ts')]!;
  const received = children[TOOT_COLUMNS.findIndex(([n]) => n === 'received_at')]!;
  if (created.nullCount || received.nullCount) return null;
  const data = makeData({ type: new Struct(TOOT_SCHEMA.fields), length: batch.numRows, nullCount: 0, children });
  return new RecordBatch(TOOT_SCHEMA, data);
}

/**
 * Record batches of TootRow shape (TOOT_SCHEMA) from a table of either flavour: for our own
 * columns the zero-copy path per clean record batch, the row-by-row path for the rest; notebook
 * files row by row (most columns are derived).
 */
export function tableToTootBatches(table: Table, flavour: ParquetFlavour, now = Date.now()): { batches: RecordBatch[]; skipped: number } {
  const batches: RecordBatch[] = [];
  let skipped = 0;
  for (const b of table.batches) {
    const fast = flavour === 'tootscope' ? fastBatch(b) : null;
    if (fast) {
      batches.push(fast);
      continue;
    }
    const slow = tableToToots(new Table([b]), flavour, now);
    skipped += slow.skipped;
    if (slow.rows.length) batches.push(tootsToRecordBatch(slow.rows));
  }
  return { batches, skipped };
}

export interface Converted {
  rows: TootRow[];
  /** Rows left out: no `uri` (ours) or no usable `url` / time (notebook). */
  skipped: number;
}

function ourRows(table: Table): Converted {
  const cols = TOOT_COLUMNS.map(([name, kind]) => [name, kind, column(table, name)!] as const);
  const rows: TootRow[] = [];
  let skipped = 0;
  for (let i = 0; i < table.numRows; i++) {
    const row = {} as Record<string, unknown>;
    for (const [name, kind, col] of cols) row[name] = convert(kind, col.values[i], col.type);
    if (!row.uri || row.created_ts === null) {
      skipped++;
      continue;
    }
    if (row.received_at === null) row.received_at = row.created_ts;
    rows.push(row as unknown as TootRow);
  }
  return { rows, skipped };
}

/**
 * A row of the notebook's file as a toot. The notebook kept no `uri`, so `uri` is its `url` (the
 * post's page on its home server): unique per post, but not the ActivityPub id we collect, so a
 * notebook import deduplicates against itself and other notebook imports, not against toots this
 * app collected. `id` = `m_id` as text, `created_ts` from `created_at` (epoch seconds),
 * `from_instance` = the host of `url`, `acct` = `username@from_instance`, `seen_on` = [`base_url`],
 * `source` = 'import', `received_at` = the time of the import (the notebook did not record it),
 * `visibility` = 'public' (the notebook read public streams, which carry only public posts);
 * what it never kept is empty, zero or false: display name, followers, hashtag names (only their
 * count survives, in `tags`), mentions, media, poll, reblogs, replies, spoiler, reply flag.
 */
function notebookRows(table: Table, now: number): Converted {
  const get = (n: string) => column(table, n);
  const c = Object.fromEntries(NOTEBOOK_COLUMNS.map((n) => [n, get(n)])) as Record<(typeof NOTEBOOK_COLUMNS)[number], Column | null>;
  const at = (n: (typeof NOTEBOOK_COLUMNS)[number], i: number) => c[n]?.values[i] ?? null;
  const rows: TootRow[] = [];
  let skipped = 0;
  for (let i = 0; i < table.numRows; i++) {
    const url = str(at('url', i));
    const secs = seconds(at('created_at', i), c.created_at!.type);
    if (!url || secs === null) {
      skipped++;
      continue;
    }
    const base_url = str(at('base_url', i)).replace(/\/+$/, '');
    const from_instance = hostOf(url) || hostOf(base_url);
    const username = str(at('username', i));
    const mId = at('m_id', i);
    const language = str(at('language', i));
    const text = str(at('mastodon_text', i));
    rows.push({
      m_id: big(mId),
      created_at: secs,
      created_at_str: str(at('created_at_str', i)) || notebookTimeString(secs * 1000),
      app: str(at('app', i)),
      url,
      base_url,
      language: language || 'unknown',
      favourites: int(at('favourites', i)),
      username,
      bot: bool(at('bot', i)),
      tags: int(at('tags', i)),
      characters: c.characters ? int(at('characters', i)) : [...text].length,
      words: c.words ? int(at('words', i)) : text.split(/\s+/).filter(Boolean).length,
      mastodon_text: text,
      id: typeof mId === 'string' ? mId : big(mId).toString(),
      uri: url,
      created_ts: secs * 1000,
      received_at: now,
      edited_at: null,
      from_instance,
      acct: `${username}@${from_instance}`,
      display_name: '',
      account_created_at: null,
      followers: 0,
      hashtags: [],
      mentions: 0,
      media: 0,
      has_poll: false,
      reblogs: 0,
      replies: 0,
      sensitive: false,
      spoiler_text: '',
      visibility: 'public',
      is_reply: false,
      seen_on: base_url ? [base_url] : [],
      source: 'import',
    });
  }
  return { rows, skipped };
}

/** Arrow rows (either flavour) as TootRows. `now` stands in for the notebook's missing `received_at`. */
export function tableToToots(table: Table, flavour: ParquetFlavour, now = Date.now()): Converted {
  return flavour === 'tootscope' ? ourRows(table) : notebookRows(table, now);
}

export interface ImportResult {
  /** The kinds of file seen (one per file read). */
  flavours: ParquetFlavour[];
  files: number;
  /** Rows read from the files (before the merge deduplicates them). */
  rows: number;
  skipped: number;
  batches: number;
}

export interface ImportOptions {
  batchRows?: number;
  now?: number;
  /** After each stored batch: rows handed on so far, files read so far, of `files`. */
  onProgress?: (p: { rows: number; files: number; totalFiles: number }) => void;
}

/** One file's bytes, or a thunk that reads them (so a zip's entries need not all sit in memory). */
export type ImportSource = Uint8Array | (() => Uint8Array | Promise<Uint8Array>);

/**
 * Reads Parquet files one after another and hands their rows on as TootRow IPC batches of
 * `batchRows` rows, across file boundaries (a Hive zip has many small files: one batch per file
 * would mean hundreds of merges). `sink` stores and merges each batch (LocalData.importBatch in
 * the page) before the next is built. A file that cannot be read stops the import with an
 * ImportError naming it; batches already handed on stay imported.
 */
export async function importParquetFiles(
  codec: Pick<ParquetCodec, 'read'>,
  files: ReadonlyArray<{ name: string; bytes: ImportSource }>,
  sink: (ipc: Uint8Array, rows: number) => Promise<void>,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const size = Math.max(1, opts.batchRows ?? IMPORT_BATCH_ROWS);
  const now = opts.now ?? Date.now();
  const result: ImportResult = { flavours: [], files: 0, rows: 0, skipped: 0, batches: 0 };
  let pending: RecordBatch[] = [];
  let pendingRows = 0;
  const flush = async (all: boolean) => {
    while (pendingRows >= size || (all && pendingRows)) {
      const take = new Table(TOOT_SCHEMA, pending).slice(0, size);
      const rest = new Table(TOOT_SCHEMA, pending).slice(take.numRows);
      pending = rest.batches;
      pendingRows = rest.numRows;
      await sink(tableToIPC(take, 'stream'), take.numRows);
      result.rows += take.numRows;
      result.batches++;
      opts.onProgress?.({ rows: result.rows, files: result.files, totalFiles: files.length });
    }
  };
  for (const file of files) {
    let table: Table;
    let flavour: ParquetFlavour;
    try {
      const bytes = typeof file.bytes === 'function' ? await file.bytes() : file.bytes;
      table = await parquetToArrow(codec, bytes);
      flavour = detectFlavour(table.schema.fields.map((f) => f.name));
    } catch (err) {
      throw new ImportError(`${file.name}: ${(err as Error).message}`);
    }
    result.flavours.push(flavour);
    for (let at = 0; at < table.numRows; at += size) {
      const { batches, skipped } = tableToTootBatches(table.slice(at, at + size), flavour, now);
      result.skipped += skipped;
      for (const b of batches) {
        pending.push(b);
        pendingRows += b.numRows;
      }
      await flush(false);
    }
    result.files++;
  }
  await flush(true);
  opts.onProgress?.({ rows: result.rows, files: result.files, totalFiles: files.length });
  return result;
}

/** One Parquet file: see `importParquetFiles`. */
export function importParquet(
  codec: Pick<ParquetCodec, 'read'>,
  bytes: Uint8Array,
  sink: (ipc: Uint8Array, rows: number) => Promise<void>,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  return importParquetFiles(codec, [{ name: 'file', bytes }], sink, opts);
}
