import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeMastodon } from '../fake-mastodon';
import { DIST } from './support/global-setup';
import { serveStatic } from './support/static-server';
import { launchBrowser } from './support/browser';
import { openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';
import { killBrowser } from './support/kill-browser';

/**
 * Issue 14: a CI run killed the browser before its first batch reached IndexedDB. The next load
 * found no position for the instance, started cold (the newest page, 40 statuses) and never
 * fetched the rest: 40 of 3,794 toots. Here both readers start on empty timelines (a signed-in
 * stream and an anonymous poll), the browser is killed before any toot exists, 100 are published
 * on each while it is down, and the relaunched page must fetch all 200: more than a cold start's
 * page of 40 could.
 */
describe('a crash before the first toot', () => {
  it('continues from where collection began, not from the newest page', { timeout: 300_000 }, async () => {
    const TOKEN = 'cold-token';
    const streamed = await startFakeMastodon({ domain: 'cold-stream.test', liveFeeds: 'authenticated', tokens: [TOKEN], cacheSeconds: 0, heartbeatMs: 1000, seed: 81 });
    const polled = await startFakeMastodon({ domain: 'cold-poll.test', cacheSeconds: 0, seed: 82 });
    const site = await serveStatic(DIST, { prefix: '/', isolated: true });
    const profile = mkdtempSync(path.join(tmpdir(), 'tootscope-cold-'));
    const [sHost, pHost] = [streamed, polled].map((f) => new URL(f.webUrl).host) as [string, string];
    let browser = await launchBrowser({ userDataDir: profile });
    try {
      const page = await openApp(browser.context, `${site.url}?instances=${streamed.webUrl},${polled.webUrl}`);
      await waitForRowState(page, sHost, /needs sign-in/, 60_000);
      await setToken(page, sHost, TOKEN);
      await waitForRowState(page, sHost, /^streaming/, 60_000);
      await waitForRowState(page, pHost, /^polling/, 60_000);
      await killBrowser(profile);
      await browser.close().catch(() => undefined);

      for (let i = 0; i < 100; i++) {
        streamed.publish();
        polled.publish();
      }
      browser = await launchBrowser({ userDataDir: profile });
      const again = await openApp(browser.context, site.url);
      await waitForCount(again, 200, 120_000);
      for (const host of [sHost, pHost]) expect(await row(again, host).getByTestId('collected').textContent(), host).toBe('100');
    } finally {
      await browser.close().catch(() => undefined);
      await site.close();
      await streamed.close();
      await polled.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
