import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import type { Page } from 'playwright-core';
import { addInstance, openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { noteFromStatus, startFakeMisskey, type FakeMisskey } from '../fake-mastodon/misskey';

/**
 * Issue 19: a Misskey server read anonymously over its own socket beside a Mastodon polled over
 * REST, and a Sharkey whose global timeline is closed to visitors, read once a token is pasted.
 * The stored count is their joint ground truth deduplicated by uri (Mastodon posts that federated
 * to the Misskey are stored once); a note with no user is skipped with a message on the Misskey
 * row and costs nothing else; each row says what it is and how it connects.
 */
describe('Misskey beside Mastodon', () => {
  const h = useHarness({ fakes: { masto: { domain: 'masto.test', cacheSeconds: 1, seed: 91, users: 20_000 } } });
  let misskey: FakeMisskey;
  /** A Sharkey that shows visitors no global timeline: read only with a pasted token. */
  let closed: FakeMisskey;
  /** A Misskey closed to visitors too, signed in to with MiAuth. */
  let miauth: FakeMisskey;
  let page: Page;
  const urls: string[] = [];
  beforeAll(async () => {
    misskey = await startFakeMisskey({ version: '2025.4.0' });
    closed = await startFakeMisskey({ name: 'sharkey', version: '2025.4.3', policies: { gtlAvailable: false }, tokens: ['s-token'] });
    miauth = await startFakeMisskey({ version: '2025.4.1', policies: { gtlAvailable: false } });
    h.context.on('request', (r) => urls.push(r.url()));
  });
  afterAll(async () => {
    await misskey?.close();
    await closed?.close();
    await miauth?.close();
  });

  it('collects all three, each post once; a closed timeline says so and a pasted token opens it; a malformed note costs only itself', async () => {
    const { masto } = h.fakes;
    const mHost = new URL(misskey.url).host;
    const tHost = new URL(masto.webUrl).host;
    for (let i = 0; i < 5; i++) masto.publish();
    for (let i = 0; i < 5; i++) misskey.publish();
    const cHost = new URL(closed.url).host;
    for (let i = 0; i < 3; i++) closed.publish();
    page = await openApp(h.context, `${h.url}?instances=${misskey.url},${masto.webUrl},${closed.url}`);
    await waitForRowState(page, mHost, /^streaming/, 120_000);
    // The Sharkey says why it collects nothing, and how to get a token; a pasted one makes it stream.
    await waitForRowState(page, cHost, /needs sign-in: this server does not show its global timeline to visitors \(GTL_DISABLED\)/);
    expect(await row(page, cHost).getByTestId('hint').textContent()).toMatch(/read:account.*Access token/);
    await setToken(page, cHost, 's-token');
    await waitForRowState(page, cHost, /^streaming/);
    expect(await row(page, cHost).getByTestId('connection').textContent()).toBe('· WebSocket, signed in');
    expect(await row(page, cHost).getByTestId('software').textContent()).toBe('Sharkey 2025.4.3');
    for (let i = 0; i < 3; i++) closed.publish();
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
    const truth = new Set([...masto.groundTruth().published.map((s) => s.uri), ...misskey.groundTruth().map(noteUri), ...closed.groundTruth().map((n) => `${closed.url}/notes/${String(n.id)}`)]);
    await waitForCount(page, truth.size);

    await expect.poll(() => row(page, mHost).getByTestId('skipped').textContent()).toMatch(/^1 skipped/);
    expect(await row(page, mHost).locator('.warnings').textContent()).toMatch(/malformed status skipped: note user: /);
    expect(await row(page, tHost).getByTestId('skipped').count()).toBe(0);
    // The socket carried no token, and its URL nothing at all.
    expect(new Set(misskey.stats.tokenVia)).toEqual(new Set(['none']));
    expect(new Set(misskey.stats.socketUrls)).toEqual(new Set(['/streaming']));
    // The Sharkey's token went as Misskey reads it on a socket (?i=), after the anonymous tries.
    expect(closed.stats.tokenVia.at(-1)).toBe('query');

    // Misskey's own notes carry no language; the federated copies keep their server's (merged by uri).
    const { rows } = await queryViaConsole(page, `SELECT language, count(*)::INTEGER AS n, count(DISTINCT acct)::INTEGER AS a, bool_or(is_reply) AS r FROM toots WHERE uri LIKE '${misskey.url}/notes/%' GROUP BY language`);
    expect(rows, JSON.stringify(rows)).toHaveLength(1);
    expect(rows[0]![0]).toBe('unknown');
    expect(Number(rows[0]![1])).toBe(misskey.groundTruth().filter((n) => typeof n.uri !== 'string').length);
    expect(rows[0]![3]).toBe('true');
  });

  it('signs in with MiAuth: the server sends the person back, the token comes only in the check’s answer', async () => {
    const host = new URL(miauth.url).host;
    for (let i = 0; i < 4; i++) miauth.publish();
    await addInstance(page, miauth.url);
    await waitForRowState(page, host, /needs sign-in/, 60_000);
    await row(page, host).getByRole('button', { name: 'Sign in' }).click();
    // Off to the server's MiAuth page (which accepts at once here) and back to the page.
    await page.waitForURL((u) => u.href.startsWith(h.url) && !u.search.includes('session='), { timeout: 60_000 });
    await waitForRowState(page, host, /^streaming/, 60_000);
    expect(await row(page, host).getByTestId('connection').textContent()).toBe('· WebSocket, signed in');
    const token = await row(page, host).getByLabel('Access token').inputValue();
    expect(token).toMatch(/^mi-/);
    const [asked] = miauth.stats.miauth;
    expect(asked).toMatchObject({ name: 'Tootscope', permission: 'read:account' });
    // The session went out in the MiAuth page's URL; the token in no URL at all.
    expect(urls.filter((u) => u.includes(token))).toEqual([]);
    expect(await page.evaluate(() => location.href)).not.toMatch(/session=|token/);
    miauth.publish();
    const notes = miauth.groundTruth().length;
    await expect.poll(async () => Number(await row(page, host).getByTestId('collected').textContent()), { timeout: 60_000 }).toBe(notes);

    // Signing out forgets the token and says how to end it on the server.
    await row(page, host).getByRole('button', { name: 'Sign out' }).click();
    await waitForRowState(page, host, /needs sign-in/);
    expect(await row(page, host).getByLabel('Access token').inputValue()).toBe('');
    expect(await row(page, host).locator('.warnings').textContent()).toContain('remove “Tootscope” from the access tokens');
  });
});
