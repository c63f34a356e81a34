import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MastodonStatus } from '../../src/core/mastodon';
import type { FakeMastodon } from '../fake-mastodon';
import { useHarness } from './support/harness';
import { addInstance, openApp, row, setToken, tootsCollected, waitForCount, waitForRowState } from './support/app-page';

/** A row's stored-toot and skipped counters as the page shows them. */
async function rowCounts(page: Page, host: string): Promise<{ collected: number; skipped: number }> {
  const num = async (id: string) => {
    const el = row(page, host).getByTestId(id);
    return (await el.count()) ? Number(((await el.textContent()) ?? '0').replace(/\D/g, '')) : 0;
  };
  return { collected: await num('collected'), skipped: await num('skipped') };
}

/**
 * Issue 14, cases 1–3 as a hostile instance served them: one post dated year 275760 (it stalled
 * every other instance and, after a reload, ran DuckDB out of memory), an account.display_name that
 * is an object (it deleted a second of every instance's toots), and account.acct: 5 (its instance
 * reconnected forever). Now each is skipped and counted on its own row, and nothing else is lost.
 */
describe('hostile statuses', () => {
  const h = useHarness({
    fakes: {
      hostile: { domain: 'hostile.test', liveFeeds: 'public', cacheSeconds: 1, seed: 41 },
      healthy: { domain: 'healthy.test', tokens: ['h-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 42 },
    },
  });
  let hostile: FakeMastodon;
  let healthy: FakeMastodon;
  let page: Page;
  let hostileHost: string;
  let healthyHost: string;

  beforeAll(async () => {
    ({ hostile, healthy } = h.fakes);
    hostileHost = new URL(hostile.webUrl).host;
    healthyHost = new URL(healthy.webUrl).host;
    page = await openApp(h.context, h.url);
  });

  it('skips and counts each bad status on its own row; every good one from both instances is stored', async () => {
    for (let i = 0; i < 20; i++) healthy.publish();
    await addInstance(page, healthy.webUrl);
    await setToken(page, healthyHost, 'h-token');
    await waitForRowState(page, healthyHost, /^streaming/);
    await waitForCount(page, 20);

    const good: MastodonStatus[] = [];
    for (let i = 0; i < 3; i++) good.push(hostile.publish());
    const account = good[0]!.account;
    hostile.publish({ created_at: '+275760-09-13T00:00:00.000Z' });
    hostile.publish({ account: { ...account, display_name: { toString: 0 } as unknown as string } });
    hostile.publish({ account: { ...account, acct: 5 as unknown as string } });
    for (let i = 0; i < 3; i++) good.push(hostile.publish());
    await addInstance(page, hostile.webUrl);

    // The healthy stream goes on meanwhile, in every batch the bad statuses share.
    for (let i = 0; i < 30; i++) healthy.publish();
    await waitForCount(page, 20 + 30 + good.length);
    await expect.poll(() => rowCounts(page, hostileHost), { timeout: 30_000 }).toEqual({ collected: good.length, skipped: 3 });
    expect(await rowCounts(page, healthyHost)).toEqual({ collected: 50, skipped: 0 });
    const warnings = await row(page, hostileHost).getByRole('list', { name: /Warnings/ }).innerText();
    expect(warnings).toMatch(/created_at: \+275760-09-13T00:00:00\.000Z is outside/);
    expect(warnings).toMatch(/account\.display_name: Invalid type/);
    expect(warnings).toMatch(/account\.acct: Invalid type/);

    // Polling goes on (no reconnect loop), and the bad ones seen again are not counted again.
    await waitForRowState(page, hostileHost, /^polling/);
    good.push(hostile.publish());
    await waitForCount(page, 20 + 30 + good.length);
    expect(await rowCounts(page, hostileHost)).toEqual({ collected: good.length, skipped: 3 });
  });

  it('reloads to the same count, with charts and queries answering', async () => {
    const before = await tootsCollected(page);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Out of Memory|TransactionContext/i.test(m.text())) errors.push(m.text());
    });
    await page.reload();
    await waitForCount(page, before);
    // The activity chart is drawn from the same table: it must come back with its figures.
    const activity = page.locator('article[aria-labelledby="chart-activity-h"]');
    await expect.poll(() => activity.locator('svg.chart').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await activity.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
