import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { noteFromStatus, startFakeMisskey, type FakeMisskey } from '../fake-mastodon/misskey';

/**
 * Issue 19: a Misskey server read anonymously over its own socket beside a Mastodon polled over
 * REST. The stored count is their joint ground truth deduplicated by uri (Mastodon posts that
 * federated to the Misskey are stored once); a note with no user is skipped with a message on the
 * Misskey row and costs nothing else; the row says what it is and how it connects.
 */
describe('Misskey beside Mastodon', () => {
  const h = useHarness({ fakes: { masto: { domain: 'masto.test', cacheSeconds: 1, seed: 91, users: 20_000 } } });
  let misskey: FakeMisskey;
  beforeAll(async () => {
    misskey = await startFakeMisskey({ version: '2025.4.0' });
  });
  afterAll(async () => {
    await misskey?.close();
  });

  it('collects both, each post once, and a malformed note costs only itself', async () => {
    const { masto } = h.fakes;
    const mHost = new URL(misskey.url).host;
    const tHost = new URL(masto.webUrl).host;
    for (let i = 0; i < 5; i++) masto.publish();
    for (let i = 0; i < 5; i++) misskey.publish();
    const page = await openApp(h.context, `${h.url}?instances=${misskey.url},${masto.webUrl}`);
    await waitForRowState(page, mHost, /^streaming/, 120_000);
    await expect.poll(() => row(page, mHost).getByTestId('software').textContent()).toBe('Misskey 2025.4.0');
    expect(await row(page, mHost).getByTestId('connection').textContent()).toBe('· WebSocket, anonymous');
    expect(await row(page, mHost).getByTestId('language-note').textContent()).toContain('unknown');

    for (let i = 0; i < 20; i++) {
      const s = masto.publish();
      misskey.publish(i % 4 === 0 ? { text: `reply ${i}`, replyId: 'aaaaaaaaaa' } : {});
      if (i % 5 === 0) misskey.publish(noteFromStatus(s)); // the same post, federated: one uri
      if (i === 10) misskey.publishRaw({ id: `${(Date.now() - Date.UTC(2000, 0, 1)).toString(36).padStart(8, '0')}zz`, createdAt: new Date().toISOString(), text: 'a note without its user', visibility: 'public' });
    }
    const noteUri = (n: Record<string, unknown>) => (typeof n.uri === 'string' ? n.uri : `${misskey.url}/notes/${String(n.id)}`);
    const truth = new Set([...masto.groundTruth().published.map((s) => s.uri), ...misskey.groundTruth().map(noteUri)]);
    await waitForCount(page, truth.size);

    await expect.poll(() => row(page, mHost).getByTestId('skipped').textContent()).toMatch(/^1 skipped/);
    expect(await row(page, mHost).locator('.warnings').textContent()).toMatch(/malformed status skipped: note user: /);
    expect(await row(page, tHost).getByTestId('skipped').count()).toBe(0);
    // The socket carried no token, and its URL nothing at all.
    expect(new Set(misskey.stats.tokenVia)).toEqual(new Set(['none']));
    expect(new Set(misskey.stats.socketUrls)).toEqual(new Set(['/streaming']));

    // Misskey's own notes carry no language; the federated copies keep their server's (merged by uri).
    const { rows } = await queryViaConsole(page, `SELECT language, count(*)::INTEGER AS n, count(DISTINCT acct)::INTEGER AS a, bool_or(is_reply) AS r FROM toots WHERE uri LIKE '${misskey.url}/notes/%' GROUP BY language`);
    expect(rows, JSON.stringify(rows)).toHaveLength(1);
    expect(rows[0]![0]).toBe('unknown');
    expect(Number(rows[0]![1])).toBe(misskey.groundTruth().filter((n) => typeof n.uri !== 'string').length);
    expect(rows[0]![3]).toBe('true');
  });
});
