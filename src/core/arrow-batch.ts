import {
  Bool, Field, Int32, Int64, List, RecordBatch, Schema, Struct, Table, TimeUnit, Timestamp, Utf8,
  makeData, tableFromIPC, tableToIPC, type Data, type DataType,
} from 'apache-arrow';
import { TOOT_COLUMNS, type ColumnKind, type TootRow } from './toot';

/**
 * TootRow[] ⇄ Arrow IPC stream bytes. Buffers are filled by hand and wrapped with `makeData`:
 * DUCKDB-WASM.md measured this ~3× faster than `vectorFromArray` builders. Timestamps are
 * microseconds without a zone, so DuckDB reads them as plain TIMESTAMP (no ICU needed).
 *
 * `tootsToIPC` runs on the main thread for every batch the stream delivers, next to JSON.parse
 * and normalisation, so the fill avoids what made it cost ~140–200 ms per 10 k toots in Chromium:
 * a property load by computed name per value (`transpose`), a native TextEncoder call per short
 * string (`utf8Data`) and a BigInt per Int64 value (`setInt64`). bench/arrow-batch.ts times it
 * against the straightforward version; test/unit/arrow-batch.test.ts holds both to the same bytes.
 */
function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'bigint':
    case 'seconds': return new Int64();
    case 'int': return new Int32();
    case 'bool': return new Bool();
    case 'text': return new Utf8();
    case 'ts': return new Timestamp(TimeUnit.MICROSECOND);
    case 'text[]': return new List(new Field('item', new Utf8(), true));
  }
}

export const TOOT_SCHEMA = new Schema(
  // `m_id` (the only 'bigint') is null for ids that are not decimal (src/core/status-id.ts).
  TOOT_COLUMNS.map(([name, kind]) => new Field(name, arrowType(kind), kind === 'ts' || kind === 'bigint')),
);

type Columns = { [K in keyof TootRow]: Array<TootRow[K]> };

/**
 * The rows' values column by column. `row[name]` with `name` varying is a megamorphic keyed load
 * in V8, ~25 ns each: ~10 ms per 10 k toots in Chromium for 36 columns, more than all the
 * number columns' encoding. Named loads in one loop cost well under 1 ms. (No `new Function`
 * to generate this from TOOT_COLUMNS: the app's CSP has no 'unsafe-eval'.) A column missing
 * here leaves holes that the unit test's byte comparison with the reference encoder catches.
 */
function transpose(rows: readonly TootRow[]): Columns {
  const n = rows.length;
  const c: Columns = {
    m_id: new Array(n), created_at: new Array(n), created_at_str: new Array(n), app: new Array(n),
    url: new Array(n), base_url: new Array(n), language: new Array(n), favourites: new Array(n),
    username: new Array(n), bot: new Array(n), tags: new Array(n), characters: new Array(n),
    words: new Array(n), mastodon_text: new Array(n), id: new Array(n), uri: new Array(n),
    created_ts: new Array(n), received_at: new Array(n), edited_at: new Array(n),
    from_instance: new Array(n), acct: new Array(n), display_name: new Array(n),
    account_created_at: new Array(n), followers: new Array(n), hashtags: new Array(n),
    mentions: new Array(n), media: new Array(n), has_poll: new Array(n), reblogs: new Array(n),
    replies: new Array(n), sensitive: new Array(n), spoiler_text: new Array(n),
    visibility: new Array(n), is_reply: new Array(n), seen_on: new Array(n), source: new Array(n),
  };
  const {
    m_id, created_at, created_at_str, app, url, base_url, language, favourites, username, bot, tags,
    characters, words, mastodon_text, id, uri, created_ts, received_at, edited_at, from_instance,
    acct, display_name, account_created_at, followers, hashtags, mentions, media, has_poll, reblogs,
    replies, sensitive, spoiler_text, visibility, is_reply, seen_on, source,
  } = c;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    m_id[i] = r.m_id;
    created_at[i] = r.created_at;
    created_at_str[i] = r.created_at_str;
    app[i] = r.app;
    url[i] = r.url;
    base_url[i] = r.base_url;
    language[i] = r.language;
    favourites[i] = r.favourites;
    username[i] = r.username;
    bot[i] = r.bot;
    tags[i] = r.tags;
    characters[i] = r.characters;
    words[i] = r.words;
    mastodon_text[i] = r.mastodon_text;
    id[i] = r.id;
    uri[i] = r.uri;
    created_ts[i] = r.created_ts;
    received_at[i] = r.received_at;
    edited_at[i] = r.edited_at;
    from_instance[i] = r.from_instance;
    acct[i] = r.acct;
    display_name[i] = r.display_name;
    account_created_at[i] = r.account_created_at;
    followers[i] = r.followers;
    hashtags[i] = r.hashtags;
    mentions[i] = r.mentions;
    media[i] = r.media;
    has_poll[i] = r.has_poll;
    reblogs[i] = r.reblogs;
    replies[i] = r.replies;
    sensitive[i] = r.sensitive;
    spoiler_text[i] = r.spoiler_text;
    visibility[i] = r.visibility;
    is_reply[i] = r.is_reply;
    seen_on[i] = r.seen_on;
    source[i] = r.source;
  }
  return c;
}

const encoder = new TextEncoder();

/**
 * Columns whose strings average at most this many UTF-16 units are encoded joined (see
 * `utf8Data`); longer ones one string at a time. For `mastodon_text` (~250 chars, often
 * non-ASCII) the native call's fixed cost is small next to the transcoding, and joining it and
 * finding the boundaries in JS cost more than it saved.
 */
const JOIN_MAX_AVG = 128;

/**
 * A Utf8 vector of `values`, with the bytes one `TextEncoder.encodeInto` per string would write.
 *
 * In Chromium that call has a fixed cost of ~0.35 µs, and most text columns are short ASCII (ids,
 * urls, acct, language, ISO dates): one call per string was ~100 ms of the ~140–200 ms per 10 k
 * toots. So a column of short strings is joined and encoded in one call into a buffer of its
 * UTF-16 length. If that consumed everything, every char was ASCII (any other char takes more
 * bytes than UTF-16 units), so the byte offsets are the UTF-16 offsets already computed. If not,
 * `utf8Lengths` finds each string's UTF-8 length in JS and the joined string is encoded again into
 * a buffer of exactly that size. Long strings are encoded one call each, into a buffer sized by
 * the UTF-16 length and grown on demand rather than length × 3.
 */
function utf8Data(values: readonly string[]): Data<Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i];
    // TootRow says string; anything else is written as TextEncoder's USVString conversion would.
    if (typeof s !== 'string') return utf8Data(values.map(String));
    chars += s.length;
    offsets[i + 1] = chars;
  }
  if (chars <= JOIN_MAX_AVG * n) {
    const joined = values.join('');
    const ascii = new Uint8Array(chars);
    if (encoder.encodeInto(joined, ascii).read === chars) {
      return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: ascii });
    }
    const total = utf8Lengths(values, offsets);
    const bytes = new Uint8Array(total);
    const r = encoder.encodeInto(joined, bytes);
    // Fewer bytes only if joining paired a lone high surrogate ending one string with a lone low
    // surrogate starting the next (apart, each is a U+FFFD): then encode string by string.
    if (r.read === chars && r.written === total) {
      return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes });
    }
  }
  let bytes = new Uint8Array(chars + (chars >> 2) + 64);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    let rest = values[i]!;
    for (;;) {
      const r = encoder.encodeInto(rest, bytes.subarray(pos));
      pos += r.written;
      if (r.read === rest.length) break;
      // Out of room. encodeInto stops only between code points (never inside a surrogate pair;
      // a lone surrogate is one U+FFFD), so going on from `read` gives the bytes of one call.
      rest = rest.slice(r.read);
      const next = new Uint8Array(Math.max(bytes.length * 2, pos + rest.length * 3));
      next.set(bytes.subarray(0, pos));
      bytes = next;
    }
    offsets[i + 1] = pos;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes.subarray(0, pos) });
}

/**
 * Each string's UTF-8 length, as TextEncoder counts it (a surrogate pair is 4 bytes, a lone
 * surrogate 3, for U+FFFD), accumulated into `offsets`; returns the total.
 */
function utf8Lengths(values: readonly string[], offsets: Int32Array): number {
  let pos = 0;
  for (let i = 0; i < values.length; i++) {
    const s = values[i]!;
    const len = s.length;
    pos += len;
    for (let j = 0; j < len; j++) {
      const c = s.charCodeAt(j);
      if (c < 0x80) continue;
      if (c < 0x800) pos += 1;
      else if (c < 0xdc00 && c >= 0xd800 && j + 1 < len && (s.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
        pos += 2; // two units, four bytes
        j++;
      } else pos += 2;
    }
    offsets[i + 1] = pos;
  }
  return pos;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/**
 * Int64 `v` (an integer JS number) into slot `i` of `data`, whose 32-bit words `words` views. A
 * BigInt per value (`BigInt(v)`, and `* 1000n` for microseconds) costs far more than two 32-bit
 * stores: the low word is `v` mod 2³² (what an Int32Array store keeps), the high word ⌊v / 2³²⌋,
 * both exact while |v| ≤ 2⁵³ − 1. Anything else (larger, fractional, NaN) goes through BigInt
 * as before, RangeError included.
 */
function setInt64(data: BigInt64Array, words: Int32Array, i: number, v: number): void {
  if (LITTLE_ENDIAN && Number.isSafeInteger(v)) {
    words[2 * i] = v;
    words[2 * i + 1] = Math.floor(v / TWO_32);
  } else {
    data[i] = BigInt(v);
  }
}

export function bitmap(length: number, bit: (i: number) => boolean): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bit(i)) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function columnData(values: readonly unknown[], kind: ColumnKind): Data {
  const n = values.length;
  switch (kind) {
    case 'bigint': {
      const data = new BigInt64Array(n);
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i] as bigint | number | null;
        if (v === null) nulls++;
        else data[i] = typeof v === 'bigint' ? v : BigInt(v);
      }
      const nullBitmap = nulls ? bitmap(n, (i) => values[i] !== null) : undefined;
      return makeData({ type: new Int64(), length: n, nullCount: nulls, nullBitmap, data });
    }
    case 'seconds': {
      const data = new BigInt64Array(n);
      const words = new Int32Array(data.buffer);
      for (let i = 0; i < n; i++) setInt64(data, words, i, values[i] as number);
      return makeData({ type: new Int64(), length: n, nullCount: 0, data });
    }
    case 'int': {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = values[i] as number;
      return makeData({ type: new Int32(), length: n, nullCount: 0, data });
    }
    case 'bool':
      return makeData({ type: new Bool(), length: n, nullCount: 0, data: bitmap(n, (i) => values[i] === true) });
    case 'text':
      return utf8Data(values as readonly string[]);
    case 'ts': {
      const data = new BigInt64Array(n);
      const words = new Int32Array(data.buffer);
      let nulls = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number | null;
        if (v === null) {
          nulls++;
          continue;
        }
        const ms = Math.round(v);
        const us = ms * 1000;
        if (Number.isSafeInteger(us)) setInt64(data, words, i, us);
        else data[i] = BigInt(ms) * 1000n;
      }
      const nullBitmap = nulls ? bitmap(n, (i) => values[i] !== null) : undefined;
      return makeData({ type: new Timestamp(TimeUnit.MICROSECOND), length: n, nullCount: nulls, nullBitmap, data });
    }
    case 'text[]': {
      const offsets = new Int32Array(n + 1);
      const flat: string[] = [];
      for (let i = 0; i < n; i++) {
        const list = values[i] as readonly string[];
        for (let j = 0; j < list.length; j++) flat.push(list[j]!);
        offsets[i + 1] = flat.length;
      }
      return makeData({ type: arrowType('text[]') as List<Utf8>, length: n, nullCount: 0, valueOffsets: offsets, child: utf8Data(flat) });
    }
  }
}

export function tootsToRecordBatch(rows: readonly TootRow[]): RecordBatch {
  const columns = transpose(rows);
  const children = TOOT_COLUMNS.map(([name, kind]) => columnData(columns[name], kind));
  const data = makeData({ type: new Struct(TOOT_SCHEMA.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(TOOT_SCHEMA, data);
}

/** Arrow IPC *stream* format: what `insertArrowFromIPCStream` takes and IndexedDB keeps. */
export function tootsToIPC(rows: readonly TootRow[]): Uint8Array {
  return tableToIPC(new Table([tootsToRecordBatch(rows)]), 'stream');
}

/** IPC bytes back to rows (tests, and the bench's round trip). */
export function ipcToToots(bytes: Uint8Array): TootRow[] {
  const table = tableFromIPC(bytes);
  const out: TootRow[] = [];
  for (const r of table) {
    const o = r.toJSON() as Record<string, unknown>;
    const row = {} as Record<string, unknown>;
    for (const [name, kind] of TOOT_COLUMNS) {
      const v = o[name];
      if (kind === 'ts') row[name] = v == null ? null : Number(v);
      else if (kind === 'seconds') row[name] = Number(v);
      else if (kind === 'text[]') row[name] = v == null ? [] : [...(v as Iterable<string>)];
      else row[name] = v;
    }
    out.push(row as unknown as TootRow);
  }
  return out;
}
