import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readNote } from '../../src/core/misskey-note';
import { normalizeStatus } from '../../src/core/normalize';
import { packNote } from '../fake-mastodon/misskey-notes';
import { openLocalData } from './helpers/local-data';
import { Ingest } from '../../src/store/ingest';
import { Intake } from '../../src/store/intake';

/**
 * Issue 19: a Misskey note (Misskey's `Packed<'Note'>`, as test/fake-mastodon/misskey-notes.ts
 * packs it) as a `toots` row, and what a stranger's server may send instead.
 */
const BASE = 'https://misskey.example';
const NOW = Date.UTC(2026, 11, 5, 12);
const user = { id: '9u00000001', username: 'alice', name: 'Alice ✨', host: null };
type Json = Record<string, unknown>;
const note = (over: Json = {}, id = 'a1b2c3d4e5'): Json => ({ ...packNote(id, NOW - 60_000, { user, text: 'hello' }, BASE), ...over });

function row(n: unknown) {
  const r = readNote(n, BASE);
  if (r.kind !== 'status') throw new Error(`not a status: ${JSON.stringify(r)}`);
  return normalizeStatus(r.status, BASE, 'stream', NOW);
}

describe('a Misskey note as a toot row', () => {
  it('maps a local note: text kept as written, uri and acct on the server itself, language unknown', () => {
    const r = row(note({ text: 'line one\nline <two> & "three"\n#misskey', cw: 'spoiler', tags: ['misskey'], repliesCount: 2, renoteCount: 3, reactionCount: 7 }));
    expect(r).toMatchObject({
      id: 'a1b2c3d4e5',
      m_id: null,
      uri: `${BASE}/notes/a1b2c3d4e5`,
      url: `${BASE}/notes/a1b2c3d4e5`,
      acct: 'alice@misskey.example',
      username: 'alice',
      display_name: 'Alice ✨',
      from_instance: 'misskey.example',
      mastodon_text: 'line one\nline <two> & "three"\n#misskey',
      spoiler_text: 'spoiler',
      sensitive: true,
      language: 'unknown',
      hashtags: ['misskey'],
      replies: 2,
      reblogs: 3,
      favourites: 7,
      created_ts: NOW - 60_000,
      is_reply: false,
      bot: false,
      followers: 0,
      account_created_at: null,
      source: 'stream',
    });
  });

  it('maps a remote note to its own server: uri and url from the note, acct with the user host', () => {
    const r = row(note({ user: { ...user, host: 'mastodon.example', username: 'bob' }, uri: 'https://mastodon.example/users/bob/statuses/1', url: 'https://mastodon.example/@bob/1' }));
    expect(r).toMatchObject({ uri: 'https://mastodon.example/users/bob/statuses/1', url: 'https://mastodon.example/@bob/1', acct: 'bob@mastodon.example', from_instance: 'mastodon.example', base_url: BASE });
  });

  it('maps a reply, a quote, files and a poll; a pure renote is no post, as Mastodon leaves boosts out of public timelines', () => {
    expect(row(note({ replyId: 'zzzzzzzzzz' })).is_reply).toBe(true);
    const files = packNote('a1b2c3d4e6', NOW, { user, text: null, files: [{ isSensitive: false }, { isSensitive: true }] }, BASE);
    expect(row(files)).toMatchObject({ media: 2, sensitive: true, mastodon_text: '' });
    expect(row(note({ poll: { multiple: false, expiresAt: null, choices: [] } })).has_poll).toBe(true);
    expect(row(note({ renoteId: 'zzzzzzzzzz', text: 'a quote' })).mastodon_text).toBe('a quote');
    expect(readNote(note({ renoteId: 'zzzzzzzzzz', text: null }), BASE)).toEqual({ kind: 'renote' });
  });

  it('keeps the id of every kind Misskey makes (aid, aidx, meid, meidg, ulid) exactly', () => {
    for (const id of ['a1b2c3d4e5', 'a1b2c3d4e5f6g7h8', '65f1c2d3e4a5b6c7d8e9f0a1', 'g018c1f2e3d4a5b6c7d8e9f0', '01HWRRWYV739R3GG41NDQEYZ86']) {
      expect(row(note({ id })).id).toBe(id);
    }
  });

  it('names the field of a malformed note', () => {
    const reason = (n: unknown) => {
      const r = readNote(n, BASE);
      return r.kind === 'invalid' ? r.reason : r.kind;
    };
    const { user: _, ...noUser } = note();
    expect(reason(noUser)).toMatch(/^user: /);
    expect(reason(note({ user: { ...user, username: '' } }))).toMatch(/^user\.username: /);
    expect(reason(note({ user: { ...user, host: 'evil.example/@x' } }))).toMatch(/^user\.host: .*host name/);
    expect(reason(note({ id: 'not an id' }))).toMatch(/^id: /);
    expect(reason(note({ createdAt: 'yesterday' }))).toMatch(/^createdAt: /);
    expect(reason(note({ uri: 'javascript:alert(1)' }))).toMatch(/^uri: .*http/);
    expect(reason(note({ text: 5 }))).toMatch(/^text: /);
    expect(reason(null)).not.toBe('status');
  });
});

const nonString = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.array(fc.integer(), { maxLength: 2 }));
type Mutation = { valid: boolean; apply(n: Json): Json };
const set = (n: Json, path: string, v: unknown): Json => {
  const [head, tail] = path.split('.') as [string, string | undefined];
  return tail === undefined ? { ...n, [head]: v } : { ...n, [head]: { ...(n[head] as Json), [tail]: v } };
};
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Mutation>({ valid: true, apply: (n) => n }) },
  fc.constantFrom('text', 'cw', 'user.name', 'user.host', 'replyId', 'url', 'files', 'tags', 'poll', 'fileIds', 'user.isBot').map((f): Mutation => ({ valid: true, apply: (n) => set(n, f, null) })),
  fc.tuple(fc.constantFrom('text', 'cw', 'user.name'), fc.string({ unit: 'binary', maxLength: 200 })).map(([f, v]): Mutation => ({ valid: true, apply: (n) => set(n, f, v) })),
  fc.tuple(fc.constantFrom('renoteCount', 'repliesCount', 'reactionCount'), fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(-5, 1e308))).map(([f, v]): Mutation => ({ valid: true, apply: (n) => set(n, f, v) })),
  fc.constantFrom('user', 'id', 'createdAt', 'user.username').map((f): Mutation => ({ valid: false, apply: (n) => set(n, f, undefined) })),
  fc.tuple(fc.constantFrom('id', 'createdAt', 'text', 'user.username', 'user.host', 'uri'), nonString).map(([f, v]): Mutation => ({ valid: false, apply: (n) => set(n, f, v) })),
  fc.constantFrom('tags', 'files', 'mentions').map((f): Mutation => ({ valid: false, apply: (n) => set(n, f, 'not a list') })),
  fc.constant<Mutation>({ valid: false, apply: (n) => set(n, 'createdAt', '+275760-09-13T00:00:00.000Z') }),
  fc.constantFrom<unknown>(null, 'note', 7, []).map((v): Mutation => ({ valid: false, apply: () => v as Json })),
);

describe('Misskey notes fuzzed through the real ingest path', () => {
  it('stores every good note once (by uri, a renote left out), skips and counts every bad one, loses nothing else', async () => {
    const data = await openLocalData(`misskey-fuzz-${Date.now()}`);
    let stored = 0;
    let skipped = 0;
    const ingest = new Ingest(data, { onStored: (rows) => intake.storedRows(rows), onFlushed: () => undefined, onStatus: () => undefined, onRejected: (r) => r.forEach((x) => intake.rejected(x.row, x.reason)) });
    const intake = new Intake(ingest, { onStored: (_b, n) => (stored += n), onSkipped: () => skipped++ });
    let caseNo = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 12 }), async (ms) => {
        caseNo++;
        const before = { stored, skipped };
        const uris = new Set<string>();
        let bad = 0;
        for (const [i, m] of ms.entries()) {
          const id = (caseNo * 100 + i).toString(36).padStart(10, '0');
          const n = m.apply(note({ uri: `https://remote.example/fuzz/${caseNo}/${i}`, user: { ...user, host: 'remote.example' } }, id));
          const r = readNote(n, BASE);
          // The reader hands a bad note on as skipped, a good one as a status (as MisskeySource does).
          if (r.kind === 'invalid') intake.accept(BASE, { kind: 'skipped', status: n, reason: r.reason });
          else if (r.kind === 'status') intake.accept(BASE, { kind: 'update', status: r.status, via: 'stream' });
          if (m.valid) uris.add(`https://remote.example/fuzz/${caseNo}/${i}`);
          else bad++;
          // The same good note again (stream and backfill both bring it): stored once.
          if (m.valid && i % 3 === 0 && r.kind === 'status') intake.accept(BASE, { kind: 'update', status: r.status, via: 'backfill' });
        }
        await ingest.flush();
        expect(skipped - before.skipped).toBe(bad);
        const mine = await data.db.query<{ uri: string; n: number }>(`SELECT uri, count(*)::INTEGER AS n FROM toots WHERE uri LIKE 'https://remote.example/fuzz/${caseNo}/%' GROUP BY uri`);
        expect(new Set(mine.map((x) => x.uri))).toEqual(uris);
        expect(mine.every((x) => x.n === 1)).toBe(true);
        total += uris.size;
        const [all] = await data.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots');
        expect(all!.n).toBe(total);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  }, 300_000);
});
