import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixtureStatuses } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';

const BASES = ['https://a.example', 'https://b.example'];
const t0 = Date.UTC(2026, 11, 6, 12);
const POOL = fixtureStatuses()
  .map(([, s]) => s)
  .filter((s) => !s.reblog)
  .slice(0, 5);

/**
 * One sighting: which post, from which instance, which version of it, with or without its app.
 * A post's app is the same in every copy that has one (Mastodon sets `application` when the post
 * is made; only the origin's copies carry it).
 */
interface Sighting {
  post: number;
  base: number;
  version: number;
  app: boolean;
}

function status(s: Sighting): MastodonStatus {
  const p = POOL[s.post]!;
  return {
    ...p,
    // Each instance knows the post under its own id (a federated copy).
    id: s.base === 0 ? p.id : `9${s.post}${p.id.slice(2)}`,
    edited_at: s.version ? new Date(Date.parse(p.created_at) + s.version * 3_600_000).toISOString() : null,
    content: `<p>version ${s.version} of post ${s.post}</p>`,
    favourites_count: s.version * 3 + s.base,
    application: s.app ? { name: `App ${s.post}`, website: null } : null,
  } as MastodonStatus;
}

function batch(sightings: Sighting[], at: number, seq: number) {
  const rows = sightings.map((s, i) => normalizeStatus(status(s), BASES[s.base]!, 'stream', at + i));
  return { ipc: tootsToIPC(rows), deletes: [], seq, rows: rows.length };
}

/** Everything the merge decides: the rows with every column, the other instances' ids, the rollups. */
async function state(db: AnalyticsDb) {
  const q = (sql: string) => db.query(sql).then((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  return {
    toots: await q('SELECT * EXCLUDE (seg) FROM toot_store ORDER BY uri'),
    sightings: await q('SELECT * FROM sightings ORDER BY ALL'),
    summary: await q('SELECT * FROM rollup_summary'),
    hours: await q('SELECT * FROM agg_hour ORDER BY ALL'),
    authors: await q('SELECT * FROM agg_day_author ORDER BY ALL'),
  };
}

describe('TootTable.applyInOrder (a start catching up on stored batches)', () => {
  it('leaves the table, sightings and rollups exactly as applying each batch in turn does (property)', async () => {
    const sighting = fc.record({ post: fc.nat(POOL.length - 1), base: fc.nat(1), version: fc.nat(2), app: fc.boolean() });
    const batches = fc.array(fc.array(sighting, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 7 });
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(batches, async (groups) => {
        cases++;
        const one = await openNodeDuckDb();
        const many = await openNodeDuckDb();
        try {
          const a = new TootTable(one);
          const b = new TootTable(many);
          await a.init();
          await b.init();
          const stored = groups.map((g, i) => batch(g, t0 + i * 1000, i));
          for (const x of stored) await a.apply(x);
          const seen: number[] = [];
          await b.applyInOrder(stored, (x) => seen.push(x.seq));
          expect(seen).toEqual(stored.map((x) => x.seq));
          expect(b.appliedSeq).toBe(a.appliedSeq);
          expect(await state(many)).toEqual(await state(one));
        } finally {
          await one.close();
          await many.close();
        }
      }),
      { numRuns: 40, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    expect(cases).toBeGreaterThanOrEqual(40);
  }, 240_000);

  it('merges a run of adding batches once, and applies a batch with deletes on its own, in order', async () => {
    const db = await openNodeDuckDb();
    try {
      const merges: string[] = [];
      const counting: AnalyticsDb = {
        ...db,
        exec: async (s) => {
          for (const x of typeof s === 'string' ? [s] : s) if (/^INSERT INTO toot_store/.test(x.trim())) merges.push(x);
          return db.exec(s);
        },
      };
      const table = new TootTable(counting);
      await table.init();
      const adds = [0, 1, 2, 3].map((i) => batch([{ post: i, base: 0, version: 0, app: true }], t0 + i * 1000, i));
      const del = { ...batch([{ post: 4, base: 1, version: 0, app: true }], t0 + 5000, 4), deletes: [{ base_url: BASES[0]!, id: POOL[0]!.id }] };
      const after = batch([{ post: 0, base: 1, version: 1, app: false }], t0 + 6000, 5);
      await table.applyInOrder([...adds, del, after]);
      // One merge for the four adding batches, one for the batch with a delete, one after it.
      expect(merges).toHaveLength(3);
      expect(table.appliedSeq).toBe(5);
      const uris = await db.query<{ uri: string }>('SELECT uri FROM toots ORDER BY uri');
      // Post 0 was deleted by the fifth batch; its later copy from b is a post that was deleted, so not kept.
      expect(uris.map((r) => r.uri).sort()).toEqual([POOL[1]!.uri, POOL[2]!.uri, POOL[3]!.uri, POOL[4]!.uri].sort());
    } finally {
      await db.close();
    }
  });
});
