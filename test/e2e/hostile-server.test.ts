import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nestedArrays, rawJson, type FakeMastodon } from '../fake-mastodon';
import { startElsewhere, startSilent, type Elsewhere } from '../fake-mastodon/elsewhere';
import { useHarness } from './support/harness';
import { addInstance, openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';

const MB = 1024 * 1024;
const deep = () => ({ x_extra: rawJson(nestedArrays(100_000)) }) as never;

/**
 * Every text a row's state showed, recorded in the page as it changes: a back-off between two
 * attempts may show its reason for well under a second, too briefly to catch by polling.
 */
async function recordStates(page: Page, host: string): Promise<() => Promise<string[]>> {
  await row(page, host).getByTestId('state').waitFor();
  await page.evaluate((h) => {
    const w = window as unknown as { seenStates: Record<string, string[]> };
    w.seenStates ??= {};
    const seen: string[] = (w.seenStates[h] = []);
    const el = document.querySelector(`li.row[data-host="${h}"] [data-testid="state"]`)!;
    seen.push(el.textContent ?? '');
    new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
  }, host);
  return () => page.evaluate((h) => (window as unknown as { seenStates: Record<string, string[]> }).seenStates[h]!, host);
}

/**
 * Issue 14 item 5 and the network attacks: a stranger's server redirects, never answers, floods or
 * nests without end. Each hostile instance's row says why; the healthy one keeps collecting and
 * nothing from another origin is stored.
 */
describe('hostile servers', () => {
  const h = useHarness({
    fakes: {
      good: { domain: 'good.test', liveFeeds: 'public', cacheSeconds: 1, seed: 31 },
      streamer: { domain: 'stream.test', tokens: ['s-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 32 },
      poller: { domain: 'poll.test', liveFeeds: 'public', cacheSeconds: 1, seed: 33 },
      bloated: { domain: 'bloated.test', liveFeeds: 'public', cacheSeconds: 1, seed: 34 },
    },
  });
  let good: FakeMastodon;
  let streamer: FakeMastodon;
  let poller: FakeMastodon;
  let other: Elsewhere;
  let page: Page;
  /** Valid statuses the page should hold, from every instance. */
  let expected = 0;
  const hostOf = (f: FakeMastodon) => new URL(f.webUrl).host;
  /** The healthy instance publishes `n` more and the page must reach exactly the running total. */
  const goodCollects = async (n: number) => {
    for (let i = 0; i < n; i++) good.publish();
    expected += n;
    await waitForCount(page, expected);
  };

  /**
   * Jumps the page's clock past REST_TIMEOUT_MS (20 s) instead of waiting it out: every timer that
   * fell due meanwhile fires once, as after a laptop's lid was closed and opened again. Only once
   * the request it should cut is open, or the deadline would not be set yet.
   */
  const passDeadline = () => page.clock.fastForward(21_000);

  beforeAll(async () => {
    ({ good, streamer, poller } = h.fakes);
    other = await startElsewhere({ domain: 'elsewhere.test' });
    // The page's clock is Playwright's, running as a real one, so that the 20 s deadline of a
    // server that never answers (REST_TIMEOUT_MS) can pass at once: see \`passDeadline\`.
    await h.context.clock.install();
    page = await openApp(h.context, h.url);
    for (let i = 0; i < 5; i++) good.publish();
    expected = 5;
    await addInstance(page, good.webUrl);
    await waitForCount(page, expected);
  });

  afterAll(async () => {
    await other?.close();
  });

  it('refuses a stream redirected to another origin, once, and stores nothing from it', async () => {
    streamer.setFault({ redirectStreamsTo: other.url });
    await addInstance(page, streamer.webUrl);
    await setToken(page, hostOf(streamer), 's-token');
    const state = await waitForRowState(page, hostOf(streamer), /^error: /);
    expect(state).toBe(`error: the stream of ${new URL(streamer.streamingUrl).host} redirected to ${new URL(other.url).host}; refused: only the instance's own streaming host is read`);
    // The other origin streams 10 posts a second; had any been read, the count would pass the total.
    await goodCollects(3);
    expect(other.requests.filter((r) => r.path.startsWith('/api/v1/streaming') && r.method === 'GET')).toHaveLength(1);
    expect(other.requests.some((r) => r.authorization)).toBe(false);

    streamer.setFault({ redirectStreamsTo: null });
    await row(page, hostOf(streamer)).getByRole('button', { name: 'Pause' }).click();
    await row(page, hostOf(streamer)).getByRole('button', { name: 'Resume' }).click();
    await waitForRowState(page, hostOf(streamer), /^streaming/);
  });

  it('skips a status nested 100,000 levels deep in a stream event and in a page, keeping its neighbours', async () => {
    const skippedOf = async (f: FakeMastodon) => {
      const el = row(page, hostOf(f)).getByTestId('skipped');
      return (await el.count()) ? Number(((await el.textContent()) ?? '').replace(/[^\d]/g, '')) : 0;
    };
    const skippedBefore = await skippedOf(streamer);
    streamer.publish();
    streamer.publish(deep());
    streamer.publish();
    poller.publish();
    poller.publish(deep());
    poller.publish();
    expected += 4;
    await addInstance(page, poller.webUrl);
    await waitForCount(page, expected);
    for (const f of [streamer, poller]) {
      await expect.poll(() => row(page, hostOf(f)).locator('.warnings').textContent()).toContain('nested deeper than any real one');
    }
    // Counted on the row as skipped, like any other status that fails validation.
    expect(await skippedOf(streamer)).toBe(skippedBefore + 1);
    expect(await skippedOf(poller)).toBe(1);
    await goodCollects(2);
  });

  it('cuts a 100 MB timeline page off with a message, then collects what followed', async () => {
    const seen = await recordStates(page, hostOf(poller));
    poller.setFault({ hostileTimeline: { count: 1, answer: { kind: 'huge', bytes: 100 * MB } } });
    poller.publish();
    poller.publish();
    expected += 2;
    await expect.poll(seen, { timeout: 30_000 }).toContainEqual(
      expect.stringMatching(new RegExp(`^reconnecting in \\d+ s \\(${hostOf(poller)} sent more than 16 MB for its public timeline; cut off\\)$`)),
    );
    await waitForCount(page, expected);
  });

  it('says "no answer" for a page whose body stalls, and retries', async () => {
    const seen = await recordStates(page, hostOf(poller));
    const served = poller.stats.hostileServed;
    poller.setFault({ hostileTimeline: { count: 1, answer: { kind: 'stall-body' } } });
    poller.publish();
    expected += 1;
    await expect.poll(() => poller.stats.hostileServed).toBe(served + 1);
    await passDeadline();
    await expect.poll(seen).toContainEqual(expect.stringContaining(`(no answer from ${hostOf(poller)} in 20 s)`));
    await waitForCount(page, expected);
  });

  it('refuses a timeline redirected to another origin and stores nothing from it', async () => {
    poller.setFault({ redirectTimelineTo: other.url });
    poller.publish();
    await waitForRowState(page, hostOf(poller), new RegExp(`^error: ${hostOf(poller)} redirected its public timeline to ${new URL(other.url).host}; refused`));
    const asked = other.requests.filter((r) => r.path === '/api/v1/timelines/public').length;
    await goodCollects(2);
    // Stopped: no retry loop against either server.
    expect(other.requests.filter((r) => r.path === '/api/v1/timelines/public')).toHaveLength(asked);
  });

  it('cuts off a stream event that never ends and keeps streaming after it', async () => {
    // The clock's jump in an earlier test may have had the stream reconnect: wait for it to be open.
    await waitForRowState(page, hostOf(streamer), /^streaming/);
    const seen = await recordStates(page, hostOf(streamer));
    const taken = await streamer.sendEndless('event: update\ndata: {"id":"1","content":"', 100 * MB);
    // The page hung up near the 8 Mi-character cap, far from 100 MB.
    expect(Math.max(...taken)).toBeLessThan(40 * MB);
    await expect.poll(seen).toContainEqual(expect.stringContaining('(an event longer than 8 M characters; cut off)'));
    await waitForRowState(page, hostOf(streamer), /^streaming/);
    streamer.publish();
    expected += 1;
    await waitForCount(page, expected);
  });

  it('says "no answer" for an instance that never answers, and for a 100 MB instance document', async () => {
    const silent = await startSilent();
    try {
      await addInstance(page, silent.url);
      const host = new URL(silent.url).host;
      await expect.poll(() => silent.connections()).toBeGreaterThan(0);
      await passDeadline();
      await waitForRowState(page, host, new RegExp(`^reconnecting in \\d+ s \\(no answer from ${host} in 20 s\\)$`));
      // A server never heard from: the row offers what applies (try now, pause), not a token
      // field, a feed or a sign-in for a server that has not said what it is (issue 18).
      const r = row(page, host);
      expect(await r.getByRole('button', { name: 'Retry now' }).count()).toBe(1);
      expect(await r.getByLabel('Access token').count()).toBe(0);
      expect(await r.getByLabel('Add feed').count()).toBe(0);
      expect(await r.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
      await goodCollects(1);
    } finally {
      await silent.close();
    }

    const bloated = h.fakes.bloated;
    bloated.setFault({ hostileInstance: { count: 1, answer: { kind: 'huge', bytes: 100 * MB } } });
    bloated.publish();
    expected += 1;
    await addInstance(page, bloated.webUrl);
    await waitForRowState(page, hostOf(bloated), new RegExp(`\\(${hostOf(bloated)} sent more than 2 MB for its instance description; cut off\\)`));
    // It retries and, the document sane again, collects.
    await waitForCount(page, expected);
    await goodCollects(2);
  });
});
