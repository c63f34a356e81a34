import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeMastodon } from '../fake-mastodon';
import { startNotMastodon } from '../fake-mastodon/not-mastodon';
import { useHarness } from './support/harness';
import { addInstance, openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';

/** A port nothing listens on: bind, read the number, close. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Issue 2 § Bad input: each gets a clear message on its own row; nothing collected is lost. */
describe('bad input', () => {
  const h = useHarness({
    fakes: {
      good: { domain: 'good.test', liveFeeds: 'public', tokens: ['good-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 5 },
      limited: { domain: 'busy.test', liveFeeds: 'public', cacheSeconds: 1, seed: 6 },
    },
    // No service workers either: a host without COOP/COEP where public/coi-sw.js cannot help.
    isolated: false,
    serviceWorkers: 'block',
  });
  let good: FakeMastodon;
  let limited: FakeMastodon;
  let html: Awaited<ReturnType<typeof startNotMastodon>>;
  let page: Page;

  beforeAll(async () => {
    ({ good, limited } = h.fakes);
    html = await startNotMastodon();
    page = await openApp(h.context, h.url);
  });

  afterAll(async () => {
    await html?.close();
  });

  it('says what is wrong with an empty or malformed URL', async () => {
    await addInstance(page, '');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Enter an instance URL');
    await addInstance(page, 'ht!tp://exa mple');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/not (a URL|an http\(s\) URL|a host name)/);
  });

  it('keeps collecting from a good instance while others fail, with a reason on each row', async () => {
    for (let i = 0; i < 10; i++) good.publish();
    await addInstance(page, good.webUrl);
    const goodHost = new URL(good.webUrl).host;
    await waitForCount(page, 10);
    // Not cross-origin isolated: the single-threaded bundle.
    expect(await page.getByText('DuckDB-WASM bundle: eh').count()).toBe(1);

    await addInstance(page, html.url);
    await waitForRowState(page, new URL(html.url).host, /error: .*not a Mastodon server/);

    const port = await closedPort();
    await addInstance(page, `http://127.0.0.1:${port}`);
    await waitForRowState(page, `127.0.0.1:${port}`, /error: cannot reach/);

    // A wrong token: the server's 401 reason, not a guess.
    await setToken(page, goodHost, 'not-a-token');
    const state = await waitForRowState(page, goodHost, /needs sign-in/);
    expect(state).toContain('401');
    expect(state).toContain('Invalid access token');
    await setToken(page, goodHost, 'good-token');
    await waitForRowState(page, goodHost, /^streaming/);

    // 429: the row says so and waits; nothing is lost.
    for (let i = 0; i < 3; i++) limited.publish();
    await addInstance(page, limited.webUrl);
    const busyHost = new URL(limited.webUrl).host;
    await waitForRowState(page, busyHost, /^polling/);
    limited.setFault({ failNextTimelineRequests: { count: 1000, status: 429 } });
    await waitForRowState(page, busyHost, /rate limited.*429/);

    // A malformed event and a 70,000-character toot on the stream.
    good.sendRaw('event: update\ndata: [1,2\n\n');
    good.sendRaw('event: delete\ndata: {"id": 1}\n\n');
    const long = good.publish({ content: `<p>${'x'.repeat(34_999)} ${'x'.repeat(35_000)}</p>` });
    await waitForCount(page, 14);
    expect(await row(page, goodHost).locator('.warnings').textContent()).toContain('malformed');
    await expect.poll(async () => page.locator('dd', { hasText: 'chars' }).allTextContents()).toContain('70,000 chars');
    expect(long.content.length).toBeGreaterThan(70_000);
  });
});
