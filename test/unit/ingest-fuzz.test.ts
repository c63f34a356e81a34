import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openLocalData, posts } from './helpers/local-data';
import { Ingest } from '../../src/store/ingest';
import { Intake } from '../../src/store/intake';
import { activitySql } from '../../src/core/sql/charts';
import { ROLLUP_SUMMARY_SQL } from '../../src/core/sql/rollups';
import type { MastodonStatus } from '../../src/core/mastodon';

/**
 * Issue 14: what strangers' servers send, fuzzed through the real ingest path (Intake → validation
 * → Ingest → IndexedDB → DuckDB), against ground truth known by construction: each generated status
 * is valid or not because of how it was made, not because the schema says so.
 *
 * Invariant: every valid status from every instance is stored exactly once (by uri), every invalid
 * one is skipped and counted on its own instance, no row stored before is lost, and the page's
 * queries keep answering. The seed is printed by fast-check on failure; FUZZ_SEED replays it.
 */
export const FUZZ_CASES = 200;
const INSTANCES = ['https://a.example', 'https://b.example', 'https://c.example'];

type Json = Record<string, unknown>;
type Mutation = { valid: boolean; apply(s: Json, ctx: Ctx): Json };
interface Ctx {
  /** Statuses made earlier in this case: duplicates refer to them. */
  made: Array<{ base: number; status: Json; valid: boolean }>;
  base: number;
}

const set = (s: Json, path: string, value: unknown): Json => {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) return { ...s, [head]: value };
  return { ...s, [head]: { ...(s[head] as Json), [tail]: value } };
};
const drop = (s: Json, path: string): Json => {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) {
    const { [head]: _, ...rest } = s;
    return rest;
  }
  const { [tail]: _, ...inner } = s[head] as Json;
  return { ...s, [head]: inner };
};

const deep = (levels: number): unknown => {
  let v: unknown = {};
  for (let i = 0; i < levels; i++) v = { v };
  return v;
};
const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('', '\u0000', '</text><script>alert(1)</script>', '=cmd|" /C calc"!A0', '\u202e\u200b😀'.repeat(50)),
);
const nonString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant({ toString: 0 }), fc.array(fc.integer(), { maxLength: 3 }), fc.constant({}));
const nonNumber = fc.oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.constant({ valueOf: 1 }), fc.array(fc.integer(), { maxLength: 2 }));
const nonBool = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant({}));
const nonArray = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant({ length: 2 }));
const nonObject = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean());

const STRING_FIELDS = ['uri', 'url', 'created_at', 'edited_at', 'content', 'spoiler_text', 'visibility', 'language', 'account.username', 'account.acct', 'account.display_name', 'account.created_at'];
const NUMBER_FIELDS = ['favourites_count', 'reblogs_count', 'replies_count', 'account.followers_count'];
const BOOL_FIELDS = ['sensitive', 'account.bot'];
const ARRAY_FIELDS = ['tags', 'mentions', 'media_attachments'];
const OBJECT_FIELDS = ['application', 'account'];
const REQUIRED = ['id', 'uri', 'created_at', 'account', 'account.username'];
const OPTIONAL = ['url', 'edited_at', 'language', 'content', 'spoiler_text', 'visibility', 'sensitive', 'application', 'tags', 'mentions', 'media_attachments', 'poll', 'in_reply_to_id', 'account.acct', 'account.display_name', 'account.bot', 'account.created_at', 'account.followers_count'];

const wrong = (fields: string[], values: fc.Arbitrary<unknown>) =>
  fc.tuple(fc.constantFrom(...fields), values).map(([f, v]): Mutation => ({ valid: false, apply: (s) => set(s, f, v) }));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Valid by construction.
  { weight: 4, arbitrary: fc.constant<Mutation>({ valid: true, apply: (s) => s }) },
  fc.constantFrom(...OPTIONAL).map((f): Mutation => ({ valid: true, apply: (s) => drop(s, f) })),
  fc.constantFrom(...OPTIONAL).map((f): Mutation => ({ valid: true, apply: (s) => set(s, f, null) })),
  fc.tuple(fc.constantFrom('content', 'spoiler_text', 'account.display_name'), oddText).map(([f, v]): Mutation => ({ valid: true, apply: (s) => set(s, f, v) })),
  fc.tuple(fc.constantFrom(...NUMBER_FIELDS), fc.oneof(fc.double({ noNaN: true }), fc.integer(), fc.constantFrom(-1, 1e308, 2 ** 53 + 1))).map(
    ([f, v]): Mutation => ({ valid: true, apply: (s) => set(s, f, v) }),
  ),
  fc.constantFrom(3, 2000, 20_000).map((n): Mutation => ({ valid: true, apply: (s) => ({ ...s, pleroma: deep(n), account: { ...(s.account as Json), emojis: deep(n) } }) })),
  fc.constant<Mutation>({ valid: true, apply: (s, ctx) => { // the same id as an earlier post of this instance, another uri
    const earlier = ctx.made.find((m) => m.base === ctx.base && m.valid);
    return earlier ? { ...s, id: earlier.status.id } : s;
  } }),
  // A post another instance also sent (dedup by uri). Federated copies carry the post's own
  // created_at, which the merge relies on to find the stored copy (src/core/sql/schema.ts timeWindow).
  fc.constant<Mutation>({ valid: true, apply: (s, ctx) => {
    const other = ctx.made.find((m) => m.base !== ctx.base && m.valid && typeof m.status.created_at === 'string');
    return other ? { ...s, uri: other.status.uri, url: other.status.url, created_at: other.status.created_at } : s;
  } }),
  // Such a copy whose time is off by up to an hour (lost digits, a server that stamped it late),
  // edited later or not: an edit moves the stored row's time, and the merge must still find it.
  // Any earlier one, so a post is often seen three times or more.
  fc.tuple(fc.integer({ min: -3600, max: 3600 }), fc.boolean(), fc.nat()).map(([secs, edit, pick]): Mutation => ({ valid: true, apply: (s, ctx) => {
    const others = ctx.made.filter((m) => m.base !== ctx.base && m.valid && typeof m.status.created_at === 'string');
    const other = others[pick % Math.max(1, others.length)];
    const t = other ? Date.parse(other.status.created_at as string) : NaN;
    if (!other || !Number.isFinite(t)) return s;
    return {
      ...s, uri: other.status.uri, url: other.status.url, created_at: new Date(t + secs * 1000).toISOString(),
      ...(edit ? { edited_at: new Date(t + 86_400_000).toISOString() } : {}),
    };
  } })),
  // Invalid by construction.
  wrong(STRING_FIELDS, nonString),
  wrong(NUMBER_FIELDS, nonNumber),
  wrong(BOOL_FIELDS, nonBool),
  wrong(ARRAY_FIELDS, nonArray),
  wrong(OBJECT_FIELDS, nonObject),
  fc.constantFrom(...REQUIRED).map((f): Mutation => ({ valid: false, apply: (s) => drop(s, f) })),
  fc.constantFrom(...REQUIRED).map((f): Mutation => ({ valid: false, apply: (s) => set(s, f, null) })),
  fc.oneof(
    fc.constantFrom('+275760-09-13T00:00:00.000Z', '1969-12-31T23:59:59Z', '0001-01-01T00:00:00Z', 'yesterday', ''),
    fc.integer({ min: 2, max: 1_000_000 }).map((d) => new Date(Date.now() + d * 86_400_000).toISOString()),
  ).map((v): Mutation => ({ valid: false, apply: (s) => ({ ...s, created_at: v }) })),
  // Ids of the other kinds servers make (src/core/status-id.ts): GoToSocial's ULID, Misskey's aid and aidx.
  fc.oneof(
    fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/),
    fc.stringMatching(/^[0-9a-z]{10}$/),
    fc.stringMatching(/^[0-9a-z]{16}$/),
  ).map((id): Mutation => ({ valid: true, apply: (s) => ({ ...s, id }) })),
  fc.oneof(fc.constantFrom('9223372036854775808', '99999999999999999999', '-1', '1e5', '01hwrrwyv739r3gg41ndqeyz86', ' 12', '01HWRRWYV739R3GG41NDQEYZ8U'), fc.bigInt({ min: 2n ** 63n, max: 2n ** 70n }).map(String)).map(
    (v): Mutation => ({ valid: false, apply: (s) => ({ ...s, id: v }) }),
  ),
  fc.constant<Mutation>({ valid: false, apply: (s) => ({ ...s, content: 'x'.repeat(600 * 1024) }) }),
  fc.constantFrom<unknown>(null, 'status', 42, [], true).map((v): Mutation => ({ valid: false, apply: () => v as Json })),
);

const events = fc.array(fc.record({ base: fc.integer({ min: 0, max: INSTANCES.length - 1 }), mutation, flush: fc.nat(7).map((n) => n === 0) }), { minLength: 1, maxLength: 16 });

describe('ingest fuzzed with hostile statuses from several instances', () => {
  it(`stores every valid status once, skips and counts every invalid one, loses nothing else (${FUZZ_CASES} cases)`, async () => {
    const data = await openLocalData(`fuzz-${Date.now()}`);
    const storedPer = new Map<string, number>();
    const skippedPer = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    const ingest = new Ingest(data, { onStored: (rows) => intake.storedRows(rows), onFlushed: () => undefined, onStatus: () => undefined, onRejected: (r) => r.forEach((x) => intake.rejected(x.row, x.reason)) });
    const intake = new Intake(ingest, {
      onStored: (base, n) => storedPer.set(base, (storedPer.get(base) ?? 0) + n),
      onSkipped: (base) => bump(skippedPer, base),
    });
    let totalUris = 0;
    let caseNo = 0;

    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    await fc.assert(
      fc.asyncProperty(events, async (evs) => {
        caseNo++;
        const before = { stored: new Map(storedPer), skipped: new Map(skippedPer) };
        const ctx: Ctx = { made: [], base: 0 };
        const expectStored = new Map<string, number>();
        const expectSkipped = new Map<string, number>();
        const validUris = new Set<string>();
        const templates = posts(evs.length);
        for (const [i, ev] of evs.entries()) {
          const base = INSTANCES[ev.base]!;
          ctx.base = ev.base;
          const template = { ...(templates[i] as unknown as Json), uri: `https://fuzz.example/${caseNo}/${i}` };
          const status = ev.mutation.apply(template, ctx);
          ctx.made.push({ base: ev.base, status, valid: ev.mutation.valid });
          if (ev.mutation.valid) {
            bump(expectStored, base);
            validUris.add(String(status.uri));
          } else bump(expectSkipped, base);
          intake.accept(base, { kind: 'update', status: status as unknown as MastodonStatus, via: 'stream' });
          if (ev.flush) await ingest.flush();
        }
        await ingest.flush();
        expect(ingest.pending).toBe(0);

        for (const base of INSTANCES) {
          expect((storedPer.get(base) ?? 0) - (before.stored.get(base) ?? 0), `stored from ${base}`).toBe(expectStored.get(base) ?? 0);
          expect((skippedPer.get(base) ?? 0) - (before.skipped.get(base) ?? 0), `skipped from ${base}`).toBe(expectSkipped.get(base) ?? 0);
        }
        const mine = await data.db.query<{ uri: string; n: number }>(
          `SELECT uri, count(*)::INTEGER AS n FROM toots WHERE uri LIKE 'https://fuzz.example/${caseNo}/%' GROUP BY uri`,
        );
        expect(new Set(mine.map((r) => r.uri))).toEqual(validUris);
        expect(mine.every((r) => r.n === 1)).toBe(true);
        totalUris += validUris.size;
        const [all] = await data.db.query<{ n: number; u: number }>('SELECT count(*)::INTEGER AS n, count(DISTINCT uri)::INTEGER AS u FROM toots');
        expect(all).toEqual({ n: totalUris, u: totalUris });
        // The page's own queries keep answering.
        await data.db.query(ROLLUP_SUMMARY_SQL);
        if (caseNo % 10 === 0) await data.db.query(activitySql({}, { grain: 'minute', by: 'from_instance' }));
      }),
      { numRuns: FUZZ_CASES, seed, endOnFailure: true },
    );
    expect(caseNo).toBeGreaterThanOrEqual(FUZZ_CASES);
  }, 600_000);
});
