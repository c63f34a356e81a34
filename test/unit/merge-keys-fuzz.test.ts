import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';

/**
 * The merge finds a post's stored row through its keys (src/core/sql/schema.ts URI_KEYS): the
 * seconds a stored row of that uri can be at. Copies of a few posts arrive from several
 * instances, their times off by up to an hour either way, some of them edits (which move the
 * stored row's time), in batches cut anywhere: against what was sent, every post is stored once,
 * seen on exactly the instances that sent it.
 */
const INSTANCES = ['https://a.example', 'https://b.example', 'https://c.example'];
const CASES = 60;

const sighting = fc.record({
  post: fc.nat(3),
  base: fc.nat(INSTANCES.length - 1),
  shift: fc.oneof(fc.constant(0), fc.integer({ min: -3600, max: 3600 })),
  edit: fc.nat(3),
  flush: fc.boolean(),
});

describe('the merge finds stored copies by their keys', () => {
  it(`stores each post once, seen on every instance that sent it (${CASES} cases)`, async () => {
    const base = fixture('01_stream_public_update_remote_mstdnjp.json');
    const t0 = Date.parse(base.created_at);
    let caseNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(sighting, { minLength: 1, maxLength: 24 }), async (seen) => {
        caseNo++;
        const db: AnalyticsDb = await openNodeDuckDb();
        const table = new TootTable(db, 7);
        await table.init();
        const sentFrom = new Map<string, Set<string>>();
        let pending: ReturnType<typeof normalizeStatus>[] = [];
        const flush = async () => {
          if (pending.length) await table.apply({ ipc: tootsToIPC(pending), deletes: [] });
          pending = [];
        };
        for (const [i, s] of seen.entries()) {
          const uri = `https://fuzz.example/${caseNo}/${s.post}`;
          const from = INSTANCES[s.base]!;
          const status: MastodonStatus = {
            ...base,
            id: String(1000 + i),
            uri,
            url: uri,
            created_at: new Date(t0 + s.post * 7_000 + s.shift * 1000).toISOString(),
            edited_at: s.edit ? new Date(t0 + s.edit * 86_400_000).toISOString() : null,
          };
          pending.push(normalizeStatus(status, from, 'stream', t0 + 10 * 86_400_000 + i));
          (sentFrom.get(uri) ?? sentFrom.set(uri, new Set()).get(uri)!).add(from);
          if (s.flush) await flush();
        }
        await flush();
        const rows = await db.query<{ uri: string; seen_on: string[] }>('SELECT uri, seen_on FROM toots ORDER BY uri');
        expect(rows.map((r) => r.uri)).toEqual([...sentFrom.keys()].sort());
        await db.close();
        for (const r of rows) expect([...r.seen_on]).toEqual([...sentFrom.get(r.uri)!].sort());
      }),
      { numRuns: CASES },
    );
  }, 300_000);
});
