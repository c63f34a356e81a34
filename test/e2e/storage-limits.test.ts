import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, waitForCount, waitForRowState } from './support/app-page';

/** Issue 3 § Losing nothing: a full quota pauses collection; no IndexedDB means memory-only, said plainly. */
describe('storage limits', () => {
  const h = useHarness({ fakes: { fake: { domain: 'full.test', liveFeeds: 'public', cacheSeconds: 1, seed: 21 } } });
  it('pauses with a message when the quota is full, holds the rows, and resumes without loss', async () => {
    const fake = h.fakes.fake;
    for (let i = 0; i < 5; i++) fake.publish();
    // Chromium fixes an origin's quota when it opens IndexedDB, so the small quota is set first.
    const blank = await h.context.newPage();
    const cdp = await h.context.newCDPSession(blank);
    const origin = new URL(h.url).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    const host = new URL(fake.webUrl).host;
    await expect.poll(() => page.getByRole('alert').allTextContents(), { timeout: 30_000 }).toContainEqual(
      expect.stringContaining('Browser storage is full'),
    );
    await waitForRowState(page, host, /^paused/);

    expect(await page.getByLabel('Toots collected', { exact: true }).textContent()).toBe('0');
    // Space again: Resume writes the held rows and collection goes on.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.getByRole('button', { name: 'Resume' }).first().click();
    await waitForCount(page, 5);
    await waitForRowState(page, host, /^polling/);
    for (let i = 0; i < 5; i++) fake.publish({ content: `<p>${'big '.repeat(20_000)}</p>` });
    await waitForCount(page, 10);
    await page.reload();
    await waitForCount(page, 10);
    expect(await row(page, host).count()).toBe(1);
  });

  it('runs in memory with a clear banner where IndexedDB is unavailable', async () => {
    const page = await h.context.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    });
    await page.goto(`${h.url}?demo`);
    await expect.poll(() => page.getByText('toots are kept in memory only').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(async () => Number(((await page.getByLabel('Toots collected', { exact: true }).textContent()) ?? '0').replace(/,/g, '')), { timeout: 20_000 }).toBeGreaterThan(0);
  });
});
