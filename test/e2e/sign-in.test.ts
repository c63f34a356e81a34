import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness';
import { openApp, row, waitForCount, waitForRowState } from './support/app-page';

/** Issue 3 § Sign-in: PKCE from a page under a sub-path; the token never shows in a URL. */
describe('sign in and sign out', () => {
  const h = useHarness({
    fakes: { auth: { domain: 'auth.test', liveFeeds: 'authenticated', cacheSeconds: 1, heartbeatMs: 1000, seed: 9 } },
    prefix: '/apps/tootscope/',
  });
  const fake = () => h.fakes.auth;
  let page: Page;
  const urls: string[] = [];

  beforeAll(() => {
    h.context.on('request', (r) => urls.push(r.url()));
  });

  it('signs in through the instance and streams with the new token', async () => {
    for (let i = 0; i < 5; i++) fake().publish();
    page = await openApp(h.context, `${h.url}?instances=${fake().webUrl}`);
    const host = new URL(fake().webUrl).host;
    await waitForRowState(page, host, /needs sign-in/);
    await row(page, host).getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.href.startsWith(h.url) && !u.search.includes('code='), { timeout: 30_000 });
    await waitForRowState(page, host, /^streaming/);
    await waitForCount(page, 5);
    fake().publish();
    await waitForCount(page, 6);

    // The address bar holds no code and no token; requests carried the token only in headers.
    expect(await page.evaluate(() => location.href)).not.toMatch(/code=|state=|token/);
    const token = await row(page, host).getByLabel('Access token').inputValue();
    expect(token.length).toBeGreaterThan(10);
    expect(urls.filter((u) => u.includes(token))).toEqual([]);
    const authorize = urls.find((u) => u.includes('/oauth/authorize'));
    expect(authorize).toContain('code_challenge_method=S256');
    expect(authorize).toContain(encodeURIComponent(h.url));
  });

  it('signs out: revokes at the instance and forgets the token', async () => {
    const host = new URL(fake().webUrl).host;
    await row(page, host).getByRole('button', { name: 'Sign out' }).click();
    await waitForRowState(page, host, /needs sign-in/);
    expect(await row(page, host).getByLabel('Access token').inputValue()).toBe('');
    // The row forgets the token first, then the revoke goes out: wait for it, not for the row.
    await expect.poll(() => fake().stats.requests['/oauth/revoke']).toBe(1);
    await page.reload();
    await waitForRowState(page, host, /needs sign-in/);
    await waitForCount(page, 6);
  });

  it('comes back from signing in as it left: the demo still running at its rate, filters and section in the address', async () => {
    const host = new URL(fake().webUrl).host;
    await page.goto(`${h.url}?demo&lang=en#live-h`);
    await waitForRowState(page, host, /needs sign-in/);
    await page.locator('#demo-rate').selectOption('100');
    await expect.poll(() => page.getByTestId('demo-stored').textContent().then((t) => Number((t ?? '').replace(/\D/g, ''))), { timeout: 30_000 }).toBeGreaterThan(0);
    await row(page, host).getByRole('button', { name: 'Sign in' }).click();
    // Only the page back from the instance can stream (this one needs sign-in); a busy machine
    // may take a while to leave, sign in and start DuckDB again.
    await waitForRowState(page, host, /^streaming/, 120_000);

    const back = new URL(await page.evaluate(() => location.href));
    expect(back.searchParams.has('demo')).toBe(true);
    expect(back.searchParams.get('lang')).toBe('en');
    expect(back.hash).toBe('#live-h');
    expect(await page.evaluate(() => location.href)).not.toMatch(/code=|state=|token/);
    expect(await page.getByRole('list', { name: 'Active filters' }).locator('li > span').allTextContents()).toEqual(['language: English (en)']);
    expect(await page.locator('#demo-rate').inputValue()).toBe('100');
    await expect.poll(() => page.getByRole('button', { name: 'Stop demo' }).count(), { timeout: 30_000 }).toBe(1);
    const stored = () => page.getByTestId('demo-stored').textContent().then((t) => Number((t ?? '').replace(/\D/g, '')));
    const before = await stored();
    await expect.poll(stored, { timeout: 30_000 }).toBeGreaterThan(before);
  });
});
