import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, waitForCount, waitForRowState } from './support/app-page';

/** Issue 3 § Two tabs: one collector; the other shows the data and takes over when it closes. */
describe('two tabs', () => {
  const h = useHarness({ fakes: { fake: { domain: 'tabs.test', liveFeeds: 'public', cacheSeconds: 1, seed: 4 } } });
  it('elects one collector and hands over without loss or double reading', async () => {
    const fake = h.fakes.fake;
    for (let i = 0; i < 5; i++) fake.publish();
    const first = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    const host = new URL(fake.webUrl).host;
    await waitForRowState(first, host, /^polling/);
    await waitForCount(first, 5);

    const second = await openApp(h.context, h.url);
    await expect.poll(() => second.getByText('Another tab of Tootscope is collecting').count(), { timeout: 20_000 }).toBe(1);
    await waitForRowState(second, host, /collected in another tab/);
    await waitForCount(second, 5);
    for (let i = 0; i < 4; i++) fake.publish();
    await waitForCount(first, 9);
    await waitForCount(second, 9);

    await first.close({ runBeforeUnload: true });
    await waitForRowState(second, host, /^polling/);
    for (let i = 0; i < 3; i++) fake.publish();
    await waitForCount(second, 12);
    await expect.poll(() => second.getByText('Another tab of Tootscope is collecting').count(), { timeout: 20_000 }).toBe(0);
  });
});
