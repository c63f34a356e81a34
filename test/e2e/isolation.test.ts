import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, requestsOffOrigin, tootsCollected } from './support/app-page';

/**
 * Issue 6: a static host that sends no COOP/COEP headers is still made cross-origin isolated,
 * through public/coi-sw.js, with one reload on the first visit and none after.
 */
describe('cross-origin isolation on a plain static host', () => {
  const h = useHarness({ prefix: '/plain/host/', isolated: false });

  it('isolates the page with its service worker and runs the eh bundle; the demo works', async () => {
    const offOrigin = requestsOffOrigin(h.context, h.url);
    const page = await openApp(h.context, `${h.url}?demo`);
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await expect.poll(() => page.getByText('DuckDB-WASM bundle: eh').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => tootsCollected(page), { timeout: 30_000 }).toBeGreaterThan(20);
    expect(navigations).toBeLessThanOrEqual(1);

    // A second visit is controlled from the start: isolated with no reload.
    const again = await openApp(h.context, h.url);
    let reloads = 0;
    again.on('framenavigated', (f) => {
      if (f === again.mainFrame()) reloads++;
    });
    expect(await again.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => again.getByText('DuckDB-WASM bundle: eh').count(), { timeout: 30_000 }).toBe(1);
    expect(reloads).toBe(0);
    expect(offOrigin).toEqual([]);
  });
});
