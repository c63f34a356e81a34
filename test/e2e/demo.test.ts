import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, requestsOffOrigin, tootsCollected } from './support/app-page';

/** The demo works with no network at all and is offered when no instance is added. */
describe('demo stream', () => {
  const h = useHarness({ prefix: '/deep/sub/path/', isolated: true });

  it('is offered on a fresh page and starts from ?demo under a sub-path, with no request off the origin', async () => {
    const offOrigin = requestsOffOrigin(h.context, h.url);
    const fresh = await openApp(h.context, h.url);
    await expect.poll(() => fresh.getByRole('button', { name: 'Start demo stream' }).count()).toBe(1);
    await fresh.close();

    const page = await openApp(h.context, `${h.url}?demo`);
    await expect.poll(() => tootsCollected(page), { timeout: 30_000 }).toBeGreaterThan(20);
    const text = await page.getByLabel('Toots collected', { exact: true }).textContent();
    expect(text).toMatch(/^\d{1,3}(,\d{3})*$/);
    await expect.poll(async () => Number((await page.getByTestId('languages').textContent())?.replace(/,/g, ''))).toBeGreaterThan(1);
    expect(offOrigin).toEqual([]);
    // DuckDB runs its single-threaded bundle, from our own assets too.
    await expect.poll(() => page.getByText('DuckDB-WASM bundle: eh').count(), { timeout: 30_000 }).toBe(1);
  });
});
