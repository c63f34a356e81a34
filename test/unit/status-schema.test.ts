import { describe, expect, it } from 'vitest';
import { fixture } from './helpers/fixtures';
import { InvalidStatusError, normalizeStatus } from '../../src/core/normalize';
import { MAX_CONTENT_BYTES } from '../../src/core/status-schema';

const BASE = 'https://mastodon.social';
const at = Date.UTC(2026, 10, 23);
const good = fixture('03_stream_hashtag_local_update_local_trwnh_app.json');
const account = good.account;

/** The reason normalizeStatus gives for `status`, or null when it makes a row. */
function refusal(status: unknown): string | null {
  try {
    normalizeStatus(status, BASE, 'stream', at);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidStatusError);
    return (err as Error).message;
  }
}

/** Issue 14: what hostile instances sent, each refused with its field named, or bounded. */
describe('statusSchema at the boundary', () => {
  it('refuses a post dated in year 275760 or before 2000, and one edited in the far future', () => {
    expect(refusal({ ...good, created_at: '+275760-09-13T00:00:00.000Z' })).toMatch(/^created_at: .*outside/);
    expect(refusal({ ...good, created_at: '1970-01-01T00:00:00.000Z' })).toMatch(/^created_at: .*outside/);
    expect(refusal({ ...good, created_at: new Date(at + 2 * 86_400_000).toISOString() })).toMatch(/^created_at/);
    expect(refusal({ ...good, created_at: new Date(at + 3_600_000).toISOString() })).toBeNull();
    expect(refusal({ ...good, edited_at: '+100000-01-01T00:00:00.000Z' })).toMatch(/^edited_at/);
  });

  it('refuses a text field of another type instead of throwing a TypeError later', () => {
    expect(refusal({ ...good, account: { ...account, display_name: { toString: 0 } } })).toMatch(/^account\.display_name: .*Expected string/);
    expect(refusal({ ...good, account: { ...account, acct: 5 } })).toMatch(/^account\.acct: .*Expected string/);
    expect(refusal({ ...good, content: ['<p>x</p>'] })).toMatch(/^content:/);
    expect(refusal({ ...good, tags: [{ name: { length: 3 } }] })).toMatch(/^tags\.0\.name:/);
    expect(refusal({ ...good, application: { name: 7 } })).toMatch(/^application\.name:/);
    expect(refusal({ ...good, language: '<script>' })).toMatch(/^language:/);
    expect(refusal({ ...good, favourites_count: '12' })).toMatch(/^favourites_count:/);
  });

  it('refuses ids of no known kind or overflowing BIGINT, and keeps the largest that fits', () => {
    expect(refusal({ ...good, id: '9223372036854775808' })).toMatch(/^id: overflows BIGINT/);
    expect(refusal({ ...good, id: '1'.repeat(40) })).toMatch(/^id:/);
    // GoToSocial's ULIDs and Misskey's aid / aidx are ids (test/unit/status-ids.test.ts); near misses are not.
    expect(refusal({ ...good, id: '01HWRRWYV739R3GG41NDQEYZ86' })).toBeNull();
    expect(refusal({ ...good, id: '01hwrrwyv739r3gg41ndqeyz86' })).toMatch(/^id: is not a status id/);
    expect(refusal({ ...good, id: '01HWRRWYV739R3GG41NDQEYZ8U' })).toMatch(/^id:/);
    expect(refusal({ ...good, id: '9xyz01ab2c' })).toBeNull();
    expect(refusal({ ...good, id: '9XYZ01AB2C' })).toMatch(/^id:/);
    expect(refusal({ ...good, id: '../../x' })).toMatch(/^id:/);
    expect(refusal({ ...good, id: 109_000_000 })).toMatch(/^id:/);
    expect(normalizeStatus({ ...good, id: '9223372036854775807' }, BASE, 'stream', at).m_id).toBe(9223372036854775807n);
  });

  it('refuses a content field over its bound (a 5 MB post) and huge lists', () => {
    expect(refusal({ ...good, content: 'x'.repeat(5 * 1024 * 1024) })).toMatch(/^content: is larger than/);
    expect(refusal({ ...good, content: 'x'.repeat(MAX_CONTENT_BYTES) })).toBeNull();
    expect(refusal({ ...good, mentions: Array(20_000).fill({}) })).toMatch(/^mentions:/);
    expect(refusal({ ...good, account: { ...account, username: 'u'.repeat(100_000) } })).toMatch(/^account\.username:/);
  });

  it('cuts descriptive text past its bound instead of losing the post, never inside a surrogate pair', () => {
    const long = '😀'.repeat(3000);
    const row = normalizeStatus(
      { ...good, application: { name: long }, spoiler_text: 'w'.repeat(100_000), tags: [{ name: 'T'.repeat(5000) }], account: { ...account, display_name: `x${long}` } },
      BASE, 'stream', at,
    );
    expect(row.app.length).toBe(2048);
    expect(row.display_name.length).toBe(2047);
    expect(row.display_name.endsWith('😀')).toBe(true);
    expect(row.spoiler_text.length).toBe(64 * 1024);
    expect(row.hashtags[0]!.length).toBe(2048);
  });

  it('never walks extra fields: a 100,000-deep array beside the status is harmless', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const row = normalizeStatus({ ...good, pleroma: deep, account: { ...account, extra: deep } }, BASE, 'stream', at);
    expect(row.id).toBe(good.id);
  });

  it('bounds counts instead of trusting them: negative, fractional and overflowing numbers', () => {
    const row = normalizeStatus(
      { ...good, favourites_count: -4, reblogs_count: 1e400, replies_count: 2.7, account: { ...account, followers_count: 1e12 } },
      BASE, 'stream', at,
    );
    expect([row.favourites, row.reblogs, row.replies, row.followers]).toEqual([0, 0, 2, 2_147_483_647]);
  });

  it('takes what real servers leave out or null as its default', () => {
    const { application: _a, tags: _t, mentions: _m, ...bare } = good;
    const row = normalizeStatus(
      { ...bare, language: null, url: null, edited_at: null, poll: null, spoiler_text: null, account: { username: 'bob', acct: 'bob@x.example' } },
      BASE, 'poll', at,
    );
    expect(row).toMatchObject({ app: '', language: 'unknown', tags: 0, hashtags: [], mentions: 0, display_name: '', bot: false, followers: 0, url: good.uri });
    expect(row.account_created_at).toBeNull();
  });

  it('drops an account date out of range but keeps the post', () => {
    const row = normalizeStatus({ ...good, account: { ...account, created_at: '+200000-01-01T00:00:00Z' } }, BASE, 'stream', at);
    expect(row.account_created_at).toBeNull();
  });
});
