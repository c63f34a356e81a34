import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';
import { PacedPublisher } from './support/paced-publisher';
import { queryViaConsole } from './support/page-sql';

/**
 * Issue 14's "10,000 events/s": one instance's stream delivers 10,000 statuses a second for three
 * seconds while a second instance is collected by polling as usual. The flooding stream is held to
 * its share of what the page takes in (src/sources/stream-share.ts) and its row says so; the calm
 * instance's statuses are stored before the flood's are, the console answers while the flood is
 * still being taken in, and every status the flood delivered is stored exactly once. Timings are
 * printed for docs/RELIABILITY.md, never asserted.
 */

const RATE = 10_000;
const FLOOD = 30_000;
const TOKEN = 'flood-token';

describe('10,000 events/s on one instance', () => {
  // The calm instance is polled (anonymous, 1 s cache); the flood needs a token and streams.
  const h = useHarness({
    fakes: {
      flood: { domain: 'flood.test', liveFeeds: 'authenticated', tokens: [TOKEN], cacheSeconds: 1, heartbeatMs: 1000, seed: 81, users: 50_000 },
      calm: { domain: 'calm.test', liveFeeds: 'public', cacheSeconds: 1, seed: 82 },
    },
  });

  it('holds the flood to its share, keeps collecting the other instance and answering, and stores every flooded status once', { timeout: 300_000 }, async () => {
    const { flood, calm } = h.fakes;
    const floodHost = new URL(flood.webUrl).host;
    const calmHost = new URL(calm.webUrl).host;
    const page = await openApp(h.context, `${h.url}?instances=${flood.webUrl},${calm.webUrl}`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await waitForRowState(page, calmHost, /^polling/, 60_000);
    await waitForRowState(page, floodHost, /needs sign-in/, 60_000);
    // The row says what that means, in plain words (issue 18).
    expect(await row(page, floodHost).getByTestId('hint').textContent()).toBe('This instance shows its timeline only to signed-in users. Sign in to collect from it.');
    await setToken(page, floodHost, TOKEN);
    await waitForRowState(page, floodHost, /^streaming/);
    const collected = async (host: string) => Number(((await row(page, host).getByTestId('collected').textContent()) ?? '').replace(/,/g, ''));
    const floodBefore = await collected(floodHost);

    // Made before the clock starts: generating 10,000 statuses a second would need the CPU the
    // browser is measured on.
    flood.prepare(FLOOD);
    const t0 = Date.now();
    const pub = new PacedPublisher(flood, RATE);
    pub.start(FLOOD);
    // The calm instance: one status every 100 ms while the flood is sent, read back by its poller.
    const calmTimer = setInterval(() => calm.publish(), 100);
    const floodTakenIn = async () => (await collected(floodHost)) - floodBefore >= FLOOD;

    // The console meanwhile, one query after another until the flood is all stored; each answer
    // notes whether the flood was still being taken in when it came.
    const queryMs: number[] = [];
    const answeredWhileFlooding: boolean[] = [];
    const queries = (async () => {
      while (!(await floodTakenIn())) {
        const q0 = Date.now();
        const n = queryMs.length;
        const { rows } = await queryViaConsole(page, `SELECT count(*) AS n, ${n} AS q FROM toots`);
        queryMs.push(Date.now() - q0);
        expect(rows[0]?.[1]).toBe(String(n));
        answeredWhileFlooding.push(!(await floodTakenIn()));
      }
    })();
    // The flood's row while it is held to its share.
    const backlogSaid: string[] = [];
    const watch = (async () => {
      while (!(await floodTakenIn())) {
        const said = row(page, floodHost).getByTestId('backlog');
        if (await said.count()) backlogSaid.push((await said.textContent().catch(() => '')) ?? '');
        await page.waitForTimeout(100);
      }
    })();

    let calmMs: number;
    let floodWhenCalmStored: number;
    try {
      // Once the server has sent the whole flood, the calm instance stops too: every status it
      // published meanwhile is stored before the flood's are all taken in.
      await expect.poll(() => pub.running, { timeout: 60_000 }).toBe(false);
      clearInterval(calmTimer);
      const calmPublished = calm.groundTruth().published.length;
      await expect.poll(() => collected(calmHost), { timeout: 120_000 }).toBeGreaterThanOrEqual(calmPublished);
      calmMs = Date.now() - t0;
      floodWhenCalmStored = (await collected(floodHost)) - floodBefore;
      await Promise.all([queries, watch]);
    } finally {
      pub.stop();
      clearInterval(calmTimer);
    }
    const floodMs = Math.max(...pub.sentAt.slice(-1)) - t0;
    const takenInMs = Date.now() - t0;

    const expected = new Set([...flood.groundTruth().published, ...calm.groundTruth().published].map((s) => s.uri));
    await waitForCount(page, expected.size, 180_000);
    const drainedMs = Date.now() - t0;
    const { rows } = await queryViaConsole(page, 'SELECT uri FROM toots');
    const stored = rows.map((r) => r[0]!);
    const have = new Set(stored);
    const figures = {
      flooded: pub.uris.length, flood_ms: floodMs, rate_per_s: Math.round(pub.uris.length / (floodMs / 1000)),
      queries_answered_during_flood: answeredWhileFlooding.filter(Boolean).length, query_ms: queryMs,
      calm_caught_up_ms: calmMs, flood_stored_when_calm_caught_up: floodWhenCalmStored, flood_taken_in_ms: takenInMs,
      backlog_said: [...new Set(backlogSaid)].slice(0, 5), all_stored_ms: drainedMs,
      stored: stored.length, duplicated: stored.length - have.size, lost: [...expected].filter((u) => !have.has(u)).length,
    };
    console.log(JSON.stringify(figures));
    // The flood's row said that it sends more than the page takes in from one instance.
    expect(backlogSaid.some((t) => /^more toots than this page can take in: [\d,]+\/s, catching up$/.test(t)), backlogSaid.join(' | ')).toBe(true);
    // The calm instance did not wait behind the flood, nor did the console.
    expect(floodWhenCalmStored).toBeLessThan(FLOOD);
    expect(answeredWhileFlooding.filter(Boolean).length).toBeGreaterThan(0);
    expect({ lost: figures.lost, duplicated: figures.duplicated, extra: [...have].filter((u) => !expected.has(u)).length }).toEqual({ lost: 0, duplicated: 0, extra: 0 });
    expect(stored.length).toBe(expected.size);
    expect(errors).toEqual([]);
  });
});
