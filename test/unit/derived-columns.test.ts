import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as pq from 'parquet-wasm/node';
import { generatedToots } from './helpers/generated-toots';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { zstd } from './helpers/zstd';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { formatCreatedAtStr } from '../../src/core/normalize';
import { CREATE_TABLES, DERIVED_IN_FILE, mergeStatements, STORED_AS_TOOTS, TOOTS_AS_STORED } from '../../src/core/sql/schema';
import type { TootRow } from '../../src/core/toot';
import { parquetCodec } from '../../src/store/archive/parquet-codec';
import { segmentColumnsIpc, segmentIpc } from '../../src/store/archive/snapshot';
import { tableFromIPC } from 'apache-arrow';
import type { ParquetModule } from '../../src/store/parquet/parquet-wasm';

/**
 * DuckDB's file leaves `id`, `url`, `username` and `created_at_str` NULL where they follow from
 * the row's other columns, and `toots` rebuilds them in SQL (core/sql/schema.ts DERIVED_IN_FILE).
 * Rows reach the file three ways: the merge's insert (SQL decides), its update of a newer version
 * (SQL decides), and a rebuild from the archive's segments (JavaScript decides, in
 * store/archive/segment-form.ts and parquet-codec.ts); a compaction's segment and the export's
 * columns are written with a url JavaScript rebuilt where the file left it out. Whatever the
 * values, every way must give back exactly the rows that went in: a value left out by one rule
 * that the other would rebuild differently is a changed post. The generator aims at the rules'
 * edges: uris one character off a Mastodon status uri, names and ids with slashes, newlines and
 * non-ASCII, accounts with no or two `@`, times before 1970 and outside four-digit years. Texts
 * either side of 4 KiB test the other thing the file keeps its own way, long texts in parts.
 */
const codec = parquetCodec(pq as unknown as ParquetModule, zstd);
const base = generatedToots(64);

const piece = fc.constantFrom('/', '//', ':', '@', 'a', 'Z9', 'é', 'ü😀', '\n', ' ', 'users', 'statuses', '/users/', '/statuses/', 'https://', '.example', '0', '42');
const junk = fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
const segmentText = fc.oneof(junk, fc.stringMatching(/^[a-z0-9_]{1,12}$/));
const statusUri = fc
  .record({ scheme: fc.constantFrom('https', 'http', 'h'), sep: fc.constantFrom('://', ':/x', ':/', ':/\n'), host: fc.oneof(fc.domain(), junk), name: segmentText, id: segmentText })
  .map(({ scheme, sep, host, name, id }) => `${scheme}${sep}${host}/users/${name}/statuses/${id}`);
const longUri = fc.integer({ min: 1000, max: 1100 }).map((n) => `https://a.example/users/${'n'.repeat(n)}/statuses/1`);
const uri = fc.oneof(statusUri, statusUri, junk, longUri);

/** A Mastodon uri's web page as a test would guess it: right or wrong, the row must come back. */
const pageOf = (u: string) => u.replace(/^([^/]*\/[\s\S][^/]*)\/users\/([^/]+)\/statuses\/([^/]+)$/u, '$1/@$2/$3');

// Milliseconds: the usual years, sub-second times around 1970, and years of fewer or more than four digits.
const createdTs = fc.oneof(
  fc.integer({ min: 946_684_800_000, max: 2_000_000_000_000 }),
  fc.integer({ min: -5_000, max: 5_000 }),
  fc.integer({ min: -62_000_000_000_000, max: -30_000_000_000_000 }),
  fc.integer({ min: 253_400_000_000_000, max: 253_500_000_000_000 }),
);

const row = fc
  .record({
    k: fc.nat(base.length - 1),
    uri,
    urlKind: fc.constantFrom('page', 'uri', 'other'),
    mId: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { freq: 4 }),
    idKind: fc.constantFrom('same', 'same', 'zero', 'other'),
    acct: fc.oneof(junk, fc.tuple(segmentText, segmentText).map(([a, b]) => `${a}@${b}`)),
    usernameKind: fc.constantFrom('same', 'same', 'other'),
    createdTs,
    strKind: fc.constantFrom('same', 'same', 'other'),
    // Texts around LONG_TEXT_BYTES, which the file keeps in parts (core/sql/schema.ts).
    text: fc.option(fc.array(piece, { minLength: 300, maxLength: 1500 }).map((p) => p.join('')), { freq: 2 }),
  })
  .map((g): TootRow => {
    const secs = Math.floor(g.createdTs / 1000);
    return {
      ...base[g.k]!,
      uri: g.uri,
      url: g.urlKind === 'page' ? pageOf(g.uri) : g.urlKind === 'uri' ? g.uri : `${g.uri}?x`,
      m_id: g.mId,
      id: g.idKind === 'other' || g.mId === null ? `A${g.k}` : g.idKind === 'zero' ? `0${g.mId}` : `${g.mId}`,
      acct: g.acct,
      username: g.usernameKind === 'same' ? g.acct.split('@')[0]! : `${g.acct}!`,
      created_ts: g.createdTs,
      created_at: secs,
      created_at_str: g.strKind === 'same' ? formatCreatedAtStr(secs * 1000) : '2026-11-20 18:00:00',
      edited_at: null,
      ...(g.text === null ? {} : { mastodon_text: g.text }),
    };
  });
const rows = fc.uniqueArray(row, { minLength: 1, maxLength: 24, selector: (r) => r.uri });

/** Rows the view and the table `expected` disagree on, both ways. */
const DIFFERENCES = `SELECT count(*)::INTEGER AS n FROM (
  (SELECT * FROM expected EXCEPT ALL SELECT * FROM back) UNION ALL (SELECT * FROM back EXCEPT ALL SELECT * FROM expected))`;

async function check(list: TootRow[]): Promise<void> {
  const db = await openNodeDuckDb();
  try {
    await db.exec(CREATE_TABLES);
    const ipc = tootsToIPC(list);
    // What went in, as DuckDB reads the batch: the ground truth.
    await db.insertIPC('expected', ipc);
    const back = (from: string) => `CREATE OR REPLACE VIEW back AS SELECT ${STORED_AS_TOOTS} FROM ${from}`;

    // The merge's insert.
    await db.insertIPC('incoming_rows', ipc);
    await db.exec(`INSERT INTO toot_store SELECT ${TOOTS_AS_STORED} FROM incoming_rows t`);
    await db.exec(back('toot_store'));
    expect((await db.query<{ n: number }>(DIFFERENCES))[0]!.n, 'insert').toBe(0);

    // The merge's update: older versions with other values first, then these as the newer ones.
    await db.exec(['DELETE FROM toot_store', `INSERT INTO toot_store SELECT ${TOOTS_AS_STORED}
      FROM (SELECT * REPLACE ('x' AS url, 'x' AS username, 'x' AS created_at_str, created_ts - INTERVAL 1 DAY AS created_ts) FROM incoming_rows) t`]);
    await db.exec('CREATE OR REPLACE TEMP VIEW batch AS SELECT * FROM incoming_rows');
    await db.exec(mergeStatements({ n: list.length, uris: list.length, lo: null, hi: null, timed: 0 }, list.length).update!);
    expect((await db.query<{ n: number }>(DIFFERENCES))[0]!.n, 'update').toBe(0);

    // The export's columns of a segment: DuckDB's rows, with a url rebuilt by the Parquet worker
    // (segmentColumnsIpc), in the segment's order.
    const names = ['id', 'url', 'username', 'created_at_str'];
    await db.exec('UPDATE toot_store SET seg = 1');
    const { ipc: cols, rebuild } = await segmentColumnsIpc(db, 1, names);
    expect(rebuild).toEqual(['url']);
    const exported = tableFromIPC(await codec.read(await codec.writeColumns(cols, rebuild)));
    expect(exported.schema.fields.map((f) => f.name), 'export').toEqual(names);
    const inOrder = await db.query<Record<string, string>>(`SELECT ${names.join(', ')} FROM expected ORDER BY created_ts, uri`);
    expect(exported.toArray().map((r) => Object.fromEntries(names.map((n) => [n, r[n]]))), 'export').toEqual(inOrder);

    // A compaction's segment, written from the file's rows as segmentIpc reads them (the url as
    // the file keeps it, rebuilt by the writer), then a rebuild of the file from that segment.
    const part = await segmentIpc(db, 1);
    expect(part.rebuild).toEqual(['url']);
    const { bytes, derived } = await codec.writeSegment(part.ipc, part.rebuild);
    await db.exec(['DELETE FROM toot_store']);
    for (const piece of await codec.readStored(bytes, 1, [], derived)) await db.insertIPC('toot_store', piece, { append: true });
    expect((await db.query<{ n: number }>(DIFFERENCES))[0]!.n, 'rebuild').toBe(0);
  } finally {
    await db.close();
  }
}

describe('columns DuckDB derives in its file', () => {
  it('come back as they went in, by the merge and by a rebuild from a segment, whatever the values', async () => {
    await fc.assert(fc.asyncProperty(rows, check), { numRuns: 60, seed: Number(process.env.FUZZ_SEED) || undefined });
  });

  it('are left out for the usual post, so the file is smaller', async () => {
    const db = await openNodeDuckDb();
    try {
      await db.exec(CREATE_TABLES);
      await db.insertIPC('incoming_rows', tootsToIPC(base));
      await db.exec(`INSERT INTO toot_store SELECT ${TOOTS_AS_STORED} FROM incoming_rows t`);
      const cols = Object.keys(DERIVED_IN_FILE);
      const [r] = await db.query<Record<string, number>>(`SELECT ${cols.map((c) => `count(${c})::INTEGER AS ${c}`).join(', ')} FROM toot_store`);
      expect(r).toEqual(Object.fromEntries(cols.map((c) => [c, 0])));
    } finally {
      await db.close();
    }
  });
});
