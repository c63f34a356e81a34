import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness';
import { openApp, waitForCount } from './support/app-page';

/**
 * Which tab collects (src/store/collector-lock.ts). A reloaded page finds the collector lock still
 * held by the page it replaces, which lets go a moment later; it must not settle as a viewer of
 * its own departing self (its table would stay in memory, rebuilt from every segment, until the
 * next reload). A page of the same origin stands in for the holder, so when it lets go is ours.
 */
const LOCK = 'tootscope-collector';
const tableHome = (page: Page) => page.getByTestId('table-home').textContent();
const viewerBanner = (page: Page) => page.getByText('Another tab of Tootscope is collecting');

/** Holds the lock; `leaving`: lets go when asked who collects, as a page that unloads does. */
async function holdLock(page: Page, leaving: boolean): Promise<void> {
  await page.evaluate(
    ({ name, leaving }) =>
      new Promise<void>((held) => {
        void navigator.locks.request(name, () => {
          const w = window as unknown as { letGo: () => void };
          const channel = new BroadcastChannel(name);
          const gone = new Promise<void>((r) => (w.letGo = r));
          channel.onmessage = (e) => {
            if (e.data !== 'who') return;
            if (leaving) w.letGo();
            else channel.postMessage('collecting');
          };
          held();
          return gone;
        });
      }),
    { name: LOCK, leaving },
  );
}

describe('electing the collecting tab', () => {
  const h = useHarness({ fakes: { fake: { domain: 'elect.test', liveFeeds: 'public', cacheSeconds: 1, seed: 17 } } });

  it('collects, with its table in the database file, when the lock is let go as it asks', async () => {
    const fake = h.fakes.fake;
    const holder = await h.context.newPage();
    await holder.goto(`${h.url}/favicon.svg`);
    await holdLock(holder, true);
    for (let i = 0; i < 10; i++) fake.publish();
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    try {
      await waitForCount(page, 10);
      await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);
      expect(await viewerBanner(page).count()).toBe(0);
    } finally {
      await page.close();
      await holder.close();
    }
  });

  it('shows the data as a viewer while a live collector answers, and collects once it leaves', async () => {
    const fake = h.fakes.fake;
    const holder = await h.context.newPage();
    await holder.goto(`${h.url}/favicon.svg`);
    await holdLock(holder, false);
    const page = await openApp(h.context, h.url);
    await expect.poll(() => viewerBanner(page).count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/table is in memory/);
    // The instance the first test saved is in standby here; it reads once this tab collects.
    for (let i = 0; i < 5; i++) fake.publish();
    await holder.evaluate(() => (window as unknown as { letGo: () => void }).letGo());
    await waitForCount(page, 15);
    await expect.poll(() => viewerBanner(page).count(), { timeout: 30_000 }).toBe(0);
  });
});
