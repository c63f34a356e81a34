import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, waitForCount, waitForRowState } from './support/app-page';
import type { Page } from 'playwright-core';

const digits = async (el: import('playwright-core').Locator) => Number(((await el.textContent()) ?? '').replace(/\D/g, ''));
const rowCount = (page: Page, host: string) => digits(row(page, host).getByTestId('collected'));
const demoCount = (page: Page) => digits(page.getByTestId('demo-stored'));

/** Issue 3 § Two tabs: one collector; the other shows the data and takes over when it closes. */
describe('two tabs', () => {
  const h = useHarness({ fakes: { fake: { domain: 'tabs.test', liveFeeds: 'public', cacheSeconds: 1, seed: 4 } } });
  it('elects one collector and hands over without loss or double reading', async () => {
    const fake = h.fakes.fake;
    for (let i = 0; i < 5; i++) fake.publish();
    // The row follows two feeds: the public timeline and its local half (issue 19).
    const first = await openApp(h.context, `${h.url}?instances=${fake.webUrl},${fake.webUrl}/public/local`);
    const host = new URL(fake.webUrl).host;
    await waitForRowState(first, host, /^polling/);
    await waitForCount(first, 5);

    const second = await openApp(h.context, h.url);
    await expect.poll(() => second.getByText('Another tab of Tootscope is collecting').count(), { timeout: 20_000 }).toBe(1);
    // The viewer's row shows the collector's state and count (issue 18), not "0 toots".
    await waitForRowState(second, host, /^polling in another tab/);
    await waitForCount(second, 5);
    await expect.poll(() => rowCount(second, host), { timeout: 20_000 }).toBe(5);
    // Each feed line too: the collector's state and count, not a reader of its own that never starts.
    const feed = (page: Page, channel: string) => row(page, host).locator(`li.feed[data-channel="${channel}"]`);
    await expect.poll(() => feed(second, 'public').getByTestId('feed-state').textContent(), { timeout: 20_000 }).toMatch(/^polling in another tab/);
    await expect.poll(() => feed(second, 'public/local').getByTestId('feed-state').textContent(), { timeout: 20_000 }).toMatch(/^polling in another tab/);
    await expect.poll(() => digits(feed(second, 'public').getByTestId('feed-collected')), { timeout: 20_000 }).toBe(5);
    expect(await digits(feed(second, 'public/local').getByTestId('feed-collected'))).toBe(await digits(feed(first, 'public/local').getByTestId('feed-collected')));
    for (let i = 0; i < 4; i++) fake.publish();
    await waitForCount(first, 9);
    await waitForCount(second, 9);
    await expect.poll(() => rowCount(second, host), { timeout: 20_000 }).toBe(9);

    await first.close({ runBeforeUnload: true });
    await waitForRowState(second, host, /^polling/);
    for (let i = 0; i < 3; i++) fake.publish();
    await waitForCount(second, 12);
    await expect.poll(() => second.getByText('Another tab of Tootscope is collecting').count(), { timeout: 20_000 }).toBe(0);
    expect(await rowCount(second, host)).toBe(12);
    await second.close({ runBeforeUnload: true });
  });

  it('shows the demo as the collecting tab runs it, and runs it on when that tab closes', async () => {
    const first = await openApp(h.context, `${h.url}?demo`);
    await expect.poll(() => demoCount(first), { timeout: 60_000 }).toBeGreaterThan(0);
    const second = await openApp(h.context, h.url);
    const state = () => second.locator('li.row.demo .state').textContent();
    await expect.poll(state, { timeout: 30_000 }).toBe('streaming in another tab');
    // The viewer's count follows the collector's as it grows.
    const seen = await demoCount(second);
    await expect.poll(() => demoCount(first), { timeout: 30_000 }).toBeGreaterThan(seen);
    await expect.poll(() => demoCount(second), { timeout: 30_000 }).toBeGreaterThan(seen);
    await first.close({ runBeforeUnload: true });
    await expect.poll(state, { timeout: 60_000 }).toBe('streaming');
    const handed = await demoCount(second);
    expect(handed).toBeGreaterThan(seen);
    await expect.poll(() => demoCount(second), { timeout: 30_000 }).toBeGreaterThan(handed);
    await second.getByRole('button', { name: 'Stop demo' }).click();
  });
});
