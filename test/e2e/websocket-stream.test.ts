import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';

/**
 * Issue 19: a Mastodon streaming over SSE and an Akkoma (known by its instance version, as a
 * browser may not read NodeInfo's document) over WebSocket, at once, sharing some posts; the
 * stored count equals their joint ground truth, deduplicated by uri, deletes honoured.
 */
describe('SSE and WebSocket streams side by side', () => {
  const h = useHarness({
    fakes: {
      masto: { domain: 'masto.test', liveFeeds: 'authenticated', tokens: ['m-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 91, users: 20_000 },
      akkoma: {
        domain: 'akkoma.test',
        liveFeeds: 'authenticated',
        tokens: ['a-token'],
        cacheSeconds: 1,
        seed: 92,
        users: 20_000,
        software: { name: 'akkoma', version: '3.15.1' },
        instanceVersion: '2.7.2 (compatible; Akkoma 3.15.1)',
      },
    },
  });

  it('counts the joint ground truth of both transports', async () => {
    const { masto, akkoma } = h.fakes;
    const mHost = new URL(masto.webUrl).host;
    const aHost = new URL(akkoma.webUrl).host;
    for (let i = 0; i < 5; i++) masto.publish();
    for (let i = 0; i < 5; i++) akkoma.publish();
    const page = await openApp(h.context, `${h.url}?instances=${masto.webUrl},${akkoma.webUrl}`);
    await waitForRowState(page, mHost, /needs sign-in/, 120_000);
    await waitForRowState(page, aHost, /needs sign-in/);
    await expect.poll(() => row(page, aHost).getByTestId('software').textContent()).toBe('Akkoma 3.15.1');
    await expect.poll(() => row(page, mHost).getByTestId('software').textContent()).toBe('Mastodon 4.6.6');
    // Mastodon may stream either way (SSE by default); Akkoma only over WebSocket, so no choice there.
    await setToken(page, mHost, 'm-token');
    await setToken(page, aHost, 'a-token');
    await waitForRowState(page, mHost, /^streaming/);
    await waitForRowState(page, aHost, /^streaming/);
    expect(await row(page, mHost).getByLabel('Stream over').inputValue()).toBe('sse');
    expect(await row(page, aHost).getByLabel('Stream over').count()).toBe(0);

    const deleted = new Set<string>();
    for (let i = 0; i < 40; i++) {
      masto.publish();
      const a = akkoma.publish();
      if (i % 4 === 0) masto.publishFrom(a); // federated: one post, two copies
      if (i % 10 === 5) {
        akkoma.deleteStatus(a.id);
        deleted.add(a.uri);
      }
    }
    const truth = new Set([...masto.groundTruth().published, ...akkoma.groundTruth().published].map((s) => s.uri));
    for (const u of deleted) truth.delete(u);
    await waitForCount(page, truth.size);

    // Each went its own way: the Akkoma row over one WebSocket, never SSE; Mastodon over SSE only.
    expect(akkoma.stats.webSocketsOpened).toBeGreaterThanOrEqual(1);
    // Before the token, the row tried Akkoma anonymously (a real one allows it; this one keeps Mastodon's rules).
    const via = akkoma.stats.webSocketTokenVia.filter((v) => v !== 'none');
    expect(via.length).toBeGreaterThanOrEqual(1);
    expect(via.every((v) => v === 'protocol')).toBe(true);
    expect(akkoma.stats.requests['/api/v1/streaming/public']).toBeUndefined();
    expect(masto.stats.webSocketsOpened).toBe(0);
    expect(masto.stats.requests['/api/v1/streaming/public']).toBeGreaterThanOrEqual(1);
    // The count held there: nothing arrived late on either.
    const marker = akkoma.publish();
    truth.add(marker.uri);
    await waitForCount(page, truth.size);
  });
});
