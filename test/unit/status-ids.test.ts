import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exportedFile, fileFingerprint, openLocalData, posts, tableFingerprint } from './helpers/local-data';
import { nativeQuery } from './helpers/native-duckdb';
import { Ingest } from '../../src/store/ingest';
import { Intake } from '../../src/store/intake';
import { StreamCore } from '../../src/sources/stream-core';
import { compareIds } from '../../src/core/status-id';
import type { SourceEvent } from '../../src/sources/source';
import type { MastodonStatus } from '../../src/core/mastodon';
import { flakeId } from '../fake-mastodon/ids';

/**
 * Issue 19: ids that are not Mastodon snowflakes. GoToSocial's are ULIDs, Misskey's aid / aidx;
 * until now the boundary refused them all, so every post of such a server was skipped. Each id
 * below is made from a time the way its server makes it, so the order expected is known by
 * construction, not by the comparison under test.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME2000 = 946_684_800_000;

/** A ULID as oklog/ulid (GoToSocial) writes it: 48-bit ms time then 80 random bits, Crockford base32. */
function ulid(ms: number, random: bigint): string {
  let v = (BigInt(ms) << 80n) | (random & ((1n << 80n) - 1n));
  let s = '';
  for (let i = 0; i < 26; i++, v >>= 5n) s = CROCKFORD[Number(v & 31n)]! + s;
  return s;
}
const base36 = (n: number | bigint, width: number) => n.toString(36).padStart(width, '0').slice(-width);
/** Misskey's aid: 8 base36 digits of ms since 2000, then 2 of noise. */
const aid = (ms: number, noise: number) => base36(ms - TIME2000, 8) + base36(noise % 1296, 2);
/** Misskey's aidx: 8 of time, 4 of node id, 4 of counter. */
const aidx = (ms: number, node: number, counter: number) => base36(ms - TIME2000, 8) + base36(node, 4) + base36(counter, 4);

const MASTODON = 'https://mastodon.example';
const GTS = 'https://gts.example';
const AID = 'https://misskey.example';
const AIDX = 'https://sharkey.example';
const AKKOMA = 'https://akkoma.example';
const T0 = Date.UTC(2026, 0, 5, 12);

/** Posts from the fixtures with `ids`, one uri each. */
function withIds(ids: string[], tag: string): MastodonStatus[] {
  return posts(ids.length).map((s, i) => ({ ...s, id: ids[i]!, uri: `https://${tag}.example/notes/${ids[i]}`, url: `https://${tag}.example/notes/${ids[i]}` }));
}

async function collector(name: string) {
  const data = await openLocalData(name);
  const skipped: string[] = [];
  const ingest = new Ingest(data, {
    onStored: (rows) => intake.storedRows(rows), onFlushed: () => undefined, onStatus: () => undefined,
    onRejected: (r) => r.forEach((x) => intake.rejected(x.row, x.reason)),
  });
  const intake = new Intake(ingest, { onStored: () => undefined, onSkipped: (_base, reason) => skipped.push(reason) });
  return { data, ingest, intake, skipped };
}

describe('status ids of every kind', () => {
  it('stores Akkoma, GoToSocial and Misskey posts with their ids exact, m_id only where the id is a number, across a compaction, a reload and the export', async () => {
    const name = `ids-${Date.now()}`;
    const { data, ingest, intake, skipped } = await collector(name);
    const gts = [ulid(T0, 5n), ulid(T0 + 1, 2n ** 79n), ulid(T0 + 60_000, 0n)];
    const mk = [aid(T0, 1), aid(T0 + 5, 1295)];
    const mkx = [aidx(T0, 77, 0), aidx(T0, 77, 1), aidx(T0 + 1000, 3, 0)];
    // Mastodon's ids differ in length: "999" is older than "1000" though it sorts after it as text.
    const masto = ['999', '1000', '115432063212345678'];
    const flakes = [flakeId(T0, 0), flakeId(T0, 1), flakeId(T0 + 7, 0)];
    const all: Array<[string, string[], string]> = [[GTS, gts, 'gts'], [AID, mk, 'mk'], [AIDX, mkx, 'mkx'], [MASTODON, masto, 'masto'], [AKKOMA, flakes, 'akkoma']];
    for (const [base, ids, tag] of all) for (const s of withIds(ids, tag)) intake.accept(base, { kind: 'update', status: s, via: 'stream' });
    await ingest.flush();
    expect(skipped).toEqual([]);

    const rows = await data.db.query<{ base_url: string; id: string; m_id: string | null }>(
      'SELECT base_url, id, m_id::VARCHAR AS m_id FROM toots ORDER BY base_url, id',
    );
    expect(rows.length).toBe(14);
    for (const [base, ids] of all) {
      const mine = rows.filter((r) => r.base_url === base);
      expect(mine.map((r) => r.id).sort()).toEqual([...ids].sort());
      for (const r of mine) expect(r.m_id).toBe(base === MASTODON ? r.id : null);
    }

    // Where polling and backfill continue from: each instance's newest id in its server's order.
    const newest = new Map([[GTS, gts[2]], [AID, mk[1]], [AIDX, mkx[2]], [MASTODON, masto[2]], [AKKOMA, flakes[2]]]);
    expect(await data.lastIds()).toEqual(newest);
    for (const [base] of all) expect(intake.lastId(base)).toBe(newest.get(base));

    // A delete names the post by its own id, however made.
    intake.accept(GTS, { kind: 'delete', id: gts[0]! });
    intake.accept(AIDX, { kind: 'delete', id: mkx[1]! });
    await ingest.flush();
    const gone = await data.db.query<{ id: string }>(`SELECT id FROM toots WHERE id IN ('${gts[0]}', '${mkx[1]}')`);
    expect(gone).toEqual([]);

    // The segment leaves out `id` only where `m_id` gives it back; a reload and the export keep ULIDs whole.
    expect(await data.compact()).toBe(true);
    const before = await tableFingerprint(data);
    expect(before.n).toBe(12);
    const reloaded = await openLocalData(name);
    expect(await tableFingerprint(reloaded)).toEqual(before);
    const file = await exportedFile(reloaded);
    expect(await fileFingerprint(file)).toEqual(before);
    const exported = await nativeQuery<{ id: string; m_id: string | null }>(`SELECT id, m_id::VARCHAR AS m_id FROM read_parquet('${file}') WHERE base_url = '${GTS}' ORDER BY id`);
    expect(exported).toEqual([{ id: gts[1], m_id: null }, { id: gts[2], m_id: null }]);
  });

  it('hands on a stream delete naming a ULID or an aidx, and still refuses one that is no id', () => {
    const events: SourceEvent[] = [];
    const warnings: string[] = [];
    const core = new StreamCore(
      { baseUrl: GTS, channel: 'public', token: 't', lastId: () => null, reconcileMs: 0 },
      { onEvent: (e) => events.push(e), onState: () => undefined, onWarning: (w) => warnings.push(w) },
    );
    const u = ulid(T0, 9n);
    core.dispatch('delete', u);
    core.dispatch('delete', aidx(T0, 1, 2));
    core.dispatch('delete', '{"id":"1"}');
    expect(events).toEqual([{ kind: 'delete', id: u }, { kind: 'delete', id: aidx(T0, 1, 2) }]);
    expect(warnings).toEqual([expect.stringMatching(/malformed delete/)]);
  });

  it('orders ids of each kind as their time and counter order them', () => {
    const ms = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2080, 0, 1) }); // aid's 8 base36 digits of time last until 2089
    const kinds: Array<fc.Arbitrary<[string, string]>> = [
      fc.tuple(ms, ms, fc.bigInt({ min: 0n, max: 2n ** 80n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 80n - 1n }))
        .filter(([a, b, x, y]) => a !== b || x !== y)
        .map(([a, b, x, y]) => (a < b || (a === b && x < y) ? [ulid(a, x), ulid(b, y)] : [ulid(b, y), ulid(a, x)])),
      fc.tuple(ms, ms).filter(([a, b]) => a !== b).map(([a, b]) => [aid(Math.min(a, b), 1295), aid(Math.max(a, b), 0)]),
      fc.tuple(ms, fc.nat(36 ** 4 - 1), fc.nat(36 ** 4 - 2)).map(([a, node, c]) => [aidx(a, node, c), aidx(a, node, c + 1)]),
      fc.tuple(ms, ms, fc.nat(0xffff), fc.nat(0xffff)).filter(([a, b, x, y]) => a !== b || x !== y)
        .map(([a, b, x, y]) => (a < b || (a === b && x < y) ? [flakeId(a, x), flakeId(b, y)] : [flakeId(b, y), flakeId(a, x)])),
      fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 63n - 2n }), fc.bigInt({ min: 1n, max: 2n ** 62n })).map(([a, d]) => {
        const b = a + d > 2n ** 63n - 1n ? 2n ** 63n - 1n : a + d;
        return [String(a), String(b)];
      }),
    ];
    fc.assert(fc.property(fc.oneof(...kinds), ([older, newer]) => {
      expect(compareIds(older, newer)).toBeLessThan(0);
      expect(compareIds(newer, older)).toBeGreaterThan(0);
    }));
  });
});
