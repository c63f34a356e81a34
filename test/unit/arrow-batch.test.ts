import { describe, expect, it } from 'vitest';
import {
  Bool, Field, Int32, Int64, List, RecordBatch, Struct, Table, TimeUnit, Timestamp, Utf8,
  makeData, tableToIPC, type Data,
} from 'apache-arrow';
import { TOOT_SCHEMA, ipcToToots, tootsToIPC } from '../../src/core/arrow-batch';
import { TOOT_COLUMNS, type ColumnKind, type TootRow } from '../../src/core/toot';
import { generatedToots } from './helpers/generated-toots';
import { openNodeDuckDb } from './helpers/node-duckdb';

/**
 * The straightforward encoder tootsToIPC replaced (one TextEncoder.encodeInto per string, a BigInt
 * per Int64): the fast one must give the same IPC bytes, so DuckDB sees exactly what it saw.
 */
function referenceIPC(rows: readonly TootRow[]): Uint8Array {
  const encoder = new TextEncoder();
  const utf8 = (values: string[]): Data<Utf8> => {
    const bytes = new Uint8Array(values.reduce((a, v) => a + v.length * 3, 0));
    const offsets = new Int32Array(values.length + 1);
    let pos = 0;
    values.forEach((v, i) => {
      pos += encoder.encodeInto(v, bytes.subarray(pos)).written;
      offsets[i + 1] = pos;
    });
    return makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data: bytes.subarray(0, pos) });
  };
  const bits = (f: (r: TootRow) => boolean) => {
    const b = new Uint8Array((rows.length + 7) >> 3);
    rows.forEach((r, i) => { if (f(r)) b[i >> 3]! |= 1 << (i & 7); });
    return b;
  };
  const n = rows.length;
  const column = (name: keyof TootRow, kind: ColumnKind): Data => {
    const get = (r: TootRow) => r[name];
    switch (kind) {
      case 'bigint': {
        const nulls = rows.filter((r) => get(r) === null).length;
        const data = BigInt64Array.from(rows, (r) => BigInt((get(r) as bigint | null) ?? 0n));
        return makeData({ type: new Int64(), length: n, nullCount: nulls, nullBitmap: nulls ? bits((r) => get(r) !== null) : undefined, data });
      }
      case 'seconds':
        return makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(rows, (r) => BigInt(get(r) as bigint | number)) });
      case 'int':
        return makeData({ type: new Int32(), length: n, nullCount: 0, data: Int32Array.from(rows, (r) => get(r) as number) });
      case 'bool':
        return makeData({ type: new Bool(), length: n, nullCount: 0, data: bits((r) => get(r) === true) });
      case 'text':
        return utf8(rows.map((r) => get(r) as string));
      case 'ts': {
        const nulls = rows.filter((r) => get(r) === null).length;
        const data = BigInt64Array.from(rows, (r) => (get(r) === null ? 0n : BigInt(Math.round(get(r) as number)) * 1000n));
        return makeData({ type: new Timestamp(TimeUnit.MICROSECOND), length: n, nullCount: nulls, nullBitmap: nulls ? bits((r) => get(r) !== null) : undefined, data });
      }
      case 'text[]': {
        const lists = rows.map((r) => get(r) as string[]);
        const offsets = new Int32Array(n + 1);
        lists.forEach((l, i) => { offsets[i + 1] = offsets[i]! + l.length; });
        return makeData({ type: new List(new Field('item', new Utf8(), true)), length: n, nullCount: 0, valueOffsets: offsets, child: utf8(lists.flat()) });
      }
    }
  };
  const children = TOOT_COLUMNS.map(([name, kind]) => column(name, kind));
  const data = makeData({ type: new Struct(TOOT_SCHEMA.fields), length: n, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(TOOT_SCHEMA, data)]), 'stream');
}

/** Index of the first byte where `a` and `b` differ, -1 if none (toEqual on ~1 MB is slow). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** What TextEncoder makes of `s` (lone surrogates become U+FFFD). */
const viaUtf8 = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

function row(i: number, over: Partial<TootRow> = {}): TootRow {
  const base: TootRow = {
    m_id: 115_000_000_000_000_000n + BigInt(i),
    created_at: 1_763_661_600 + i,
    created_at_str: '2025-11-20 18:00:00',
    app: 'Web',
    url: `https://mastodon.social/@alice/11500000000000000${i}`,
    base_url: 'https://mastodon.social',
    language: 'en',
    favourites: i,
    username: 'alice',
    bot: i % 2 === 0,
    tags: 1,
    characters: 5,
    words: 1,
    mastodon_text: `hello ${i}`,
    id: `11500000000000000${i}`,
    uri: `https://mastodon.social/users/alice/statuses/11500000000000000${i}`,
    created_ts: 1_763_661_600_000 + i,
    received_at: 1_763_661_600_500.4 + i,
    edited_at: null,
    from_instance: 'mastodon.social',
    acct: 'alice@mastodon.social',
    display_name: 'Alice',
    account_created_at: 1_600_000_000_000,
    followers: 10 * i,
    hashtags: ['test'],
    mentions: 0,
    media: 0,
    has_poll: false,
    reblogs: 2,
    replies: 3,
    sensitive: i % 3 === 0,
    spoiler_text: '',
    visibility: 'public',
    is_reply: false,
    seen_on: ['https://mastodon.social'],
    source: 'stream',
  };
  return { ...base, ...over };
}

const LONG = 'x'.repeat(30_000) + '漢字😀'.repeat(10_000) + 'é'.repeat(10_000);

/** One awkward value per column kind, next to plain rows so both paths of every column run. */
const TRICKY: TootRow[] = [
  row(0),
  row(1, { display_name: 'Zoë 😀 漢字', mastodon_text: 'héllo wörld — “quotes” 👩‍👩‍👧 한국어', hashtags: ['日本語', 'ok', ''], seen_on: [] }),
  row(2, { display_name: 'lone \ud83d high', spoiler_text: 'lone \ude00 low', username: '\udc00start', acct: 'end\ud800' }),
  // Joined, these two would pair into one valid code point; apart, each is a U+FFFD.
  row(3, { mastodon_text: 'ends high \ud83d', app: 'x\ud83d' }),
  row(4, { mastodon_text: '\ude00starts low', app: '\ude00y' }),
  row(5, { mastodon_text: LONG, hashtags: [], seen_on: [], language: '', created_at_str: '', app: '' }),
  row(6, { mastodon_text: '', display_name: '', spoiler_text: '', hashtags: ['', ''], edited_at: 1_763_700_000_123.5, account_created_at: null }),
  row(7, {
    m_id: -1n, created_at: -86_400, favourites: -5, followers: 2_147_483_647,
    created_ts: -1_000.5, received_at: 0, edited_at: -0, account_created_at: -62_135_596_800_000,
  }),
  row(8, {
    m_id: 9_223_372_036_854_775_807n, created_at: Number.MAX_SAFE_INTEGER,
    // Microseconds past 2^53: no longer exact as doubles, so these take the BigInt path.
    created_ts: 9_007_199_254_741, received_at: 8_640_000_000_000_000, edited_at: -8_640_000_000_000_000,
    account_created_at: 4_294_967_296_000,
  }),
  row(9, { created_at: 2 ** 32, created_ts: 2 ** 32, received_at: 2 ** 32 - 0.5, edited_at: -(2 ** 32) }),
  // A GoToSocial post: its ULID is no BIGINT, so `m_id` is null and `id` holds it.
  row(10, { m_id: null, id: '01HWRRWYV739R3GG41NDQEYZ86' }),
];

describe('tootsToIPC', () => {
  it('writes the same IPC bytes as one TextEncoder call per string, on awkward rows', () => {
    expect(firstDiff(tootsToIPC(TRICKY), referenceIPC(TRICKY))).toBe(-1);
    // Each row alone too: a column then takes the path that row's values alone lead to.
    for (const r of TRICKY) expect(firstDiff(tootsToIPC([r]), referenceIPC([r])), String(r.favourites)).toBe(-1);
    expect(firstDiff(tootsToIPC([]), referenceIPC([]))).toBe(-1);
  });

  it('writes the same IPC bytes on generated toots', () => {
    const rows = generatedToots(3_000, 11);
    expect(firstDiff(tootsToIPC(rows), referenceIPC(rows))).toBe(-1);
  });

  it('round-trips awkward rows through ipcToToots as TextEncoder would', () => {
    const back = ipcToToots(tootsToIPC(TRICKY));
    expect(back).toEqual(ipcToToots(referenceIPC(TRICKY)));
    back.forEach((got, i) => {
      const want = TRICKY[i]!;
      for (const [name, kind] of TOOT_COLUMNS) {
        const w = want[name];
        if (kind === 'text') expect(got[name], name).toBe(viaUtf8(w as string));
        else if (kind === 'text[]') expect(got[name], name).toEqual((w as string[]).map(viaUtf8));
        else if (kind === 'ts') expect(got[name], name).toBe(w === null ? null : Math.round(w as number) + 0); // an Int64 has no -0
        else expect(got[name], name).toEqual(w);
      }
    });
    expect(back[5]!.mastodon_text).toHaveLength(LONG.length);
    expect(back[2]!.display_name).toBe('lone \ufffd high');
    expect(back[3]!.mastodon_text).toBe('ends high \ufffd');
  });

  it('is read by DuckDB-WASM with the same values', async () => {
    const db = await openNodeDuckDb();
    await db.insertIPC('t', tootsToIPC(TRICKY));
    const got = await db.query(
      `SELECT m_id::VARCHAR AS m_id, created_at, mastodon_text, display_name, len(hashtags) AS nh, epoch_us(created_ts) AS us, edited_at IS NULL AS no_edit FROM t ORDER BY favourites, followers`,
    );
    const want = [...TRICKY].sort((a, b) => a.favourites - b.favourites || a.followers - b.followers);
    expect(got.map((r) => r.m_id)).toEqual(want.map((r) => r.m_id?.toString() ?? null));
    expect(got.map((r) => Number(r.created_at))).toEqual(want.map((r) => r.created_at));
    expect(got.map((r) => r.mastodon_text)).toEqual(want.map((r) => viaUtf8(r.mastodon_text)));
    expect(got.map((r) => r.display_name)).toEqual(want.map((r) => viaUtf8(r.display_name)));
    expect(got.map((r) => Number(r.nh))).toEqual(want.map((r) => r.hashtags.length));
    expect(got.map((r) => BigInt(r.us as bigint | number))).toEqual(want.map((r) => BigInt(Math.round(r.created_ts)) * 1000n));
    expect(got.map((r) => r.no_edit)).toEqual(want.map((r) => r.edited_at === null));
  });
});
