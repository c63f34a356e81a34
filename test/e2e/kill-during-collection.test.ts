import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeMastodon } from '../fake-mastodon';
import { Rng } from '../../src/core/demo/random';
import { DIST } from './support/global-setup';
import { serveStatic } from './support/static-server';
import { launchBrowser } from './support/browser';
import { openApp, retryNow, row, setToken, waitForCount, waitForRowState } from './support/app-page';
import { killBrowser } from './support/kill-browser';
import { PacedPublisher } from './support/paced-publisher';
import { queryViaConsole } from './support/page-sql';

/**
 * Issue 14: the browser is killed (SIGKILL to its process group, no clean close) at random moments
 * while it collects 2,000 toots/s, ten times, on one profile. After each relaunch, before the page
 * may fetch anything new (the fake answers 503 meanwhile), the page's own DuckDB is asked for every
 * stored uri.
 *
 * What must be there: every status the page had taken in before the newest IndexedDB batch that
 * committed before the kill was cut (`takenAt`, src/store/ingest.ts). That holds on any machine: a
 * row the page dropped, or a batch written out of order, fails it however slow the disk. How old
 * the newest kept row is (`exposure_ms`: kill − that cut) is a timing figure, recorded per round
 * and in docs/RELIABILITY.md, not asserted: on an idle machine it is the 0.5 s flush wait plus a
 * commit, but on a loaded one a single IndexedDB commit took 1.1 s (a CI run), and a test that
 * asserted "one second" failed on the machine, not on the page (issue 14: no timing in tests).
 * Nothing may be stored twice, and each round ends only once the next start's backfill has brought
 * every status sent: nothing is lost for good. `KILL_SEED=n` repeats a run's kill moments.
 */

const KILLS = 10;
const RATE = 2000;
const TOKEN = 'kill-token';
const SEED = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);

/**
 * Reports each change of the row's count, each committed batch, and each status the page takes in.
 * A stream event's data is parsed with JSON.parse and handed on synchronously to Ingest.addStatus
 * (sse-source → stream-core → intake), so the parse is the moment the row is in the page's memory.
 */
const COUNT_OBSERVER = `(() => {
  let last = '';
  const scan = () => {
    const el = document.querySelector('li.row [data-testid="collected"]');
    const text = el ? el.textContent || '' : '';
    if (text !== last) {
      last = text;
      if (window.__tootscopeCount) window.__tootscopeCount(Number(text.replace(/,/g, '')), Date.now());
    }
  };
  const start = () => new MutationObserver(scan).observe(document, { subtree: true, childList: true, characterData: true });
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
  // Each stored batch (src/store/wal/batch-store.ts writes { seq, rows, writtenAt, takenAt, … }),
  // when its IndexedDB transaction commits: what a kill at that moment would keep.
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (value, key) {
    const req = put.call(this, value, key);
    if (value && typeof value.seq === 'number' && typeof value.rows === 'number' && window.__tootscopeBatch) {
      const { seq, rows, writtenAt, takenAt } = value;
      this.transaction.addEventListener('complete', () => window.__tootscopeBatch(seq, rows, writtenAt, takenAt ?? 0, Date.now()));
    }
    return req;
  };
  // Statuses as the page parses them, sent on in small groups (one binding call per status would
  // load the page at 2,000/s). Whatever a kill cuts off here is only left out of what is expected.
  let taken = [];
  const send = () => {
    if (!taken.length || !window.__tootscopeReceived) return;
    window.__tootscopeReceived(taken);
    taken = [];
  };
  setInterval(send, 50);
  const parse = JSON.parse;
  JSON.parse = function (text, reviver) {
    const v = parse.call(this, text, reviver);
    if (v && typeof v === 'object' && typeof v.uri === 'string' && typeof v.id === 'string') taken.push([v.uri, Date.now()]);
    return v;
  };
})();`;

interface Round {
  kill: number;
  /** Statuses the fake sent in this round before the kill. */
  sent: number;
  /** Taken in by the page before the newest batch that committed before the kill was cut: what must be kept. */
  expected: number;
  /** Kill − that cut (ms): the age of the newest row a crash at that moment keeps. */
  exposure_ms: number | null;
  /** Taken in after that cut: in memory or in a write the kill stopped (the backfill brings them). */
  in_memory_at_kill: number;
  /** Sent more than a second before the kill and not in the relaunched table (a figure, not asserted). */
  sent_over_1s_not_kept: number;
  stored: number;
  lost: number;
  duplicated: number;
  extra: number;
  /** How long before the kill each lost uri was taken in (ms), the first few. */
  lost_taken_ms_before_kill: number[];
  /** The row's count (statuses stored) at the kill. */
  taken_in_by_kill: number;
  /** The batches IndexedDB committed in this round: rows, and when cut, written and committed (ms relative to the kill). */
  batches: Array<[rows: number, taken: number, written: number, committed: number]>;
}

describe('SIGKILL during collection', () => {
  it(`keeps every toot it had committed by each of ${KILLS} kills, once, and ends with every toot sent (seed ${SEED})`, { timeout: 900_000 }, async () => {
    console.log(`kill-during-collection: seed ${SEED} (KILL_SEED=${SEED} repeats these kill moments)`);
    const rng = new Rng(SEED);
    // 2,000/s makes each reconnect's backfill hundreds of pages: the throttles are out of the way.
    const unlimited = { limit: 1_000_000, windowMs: 5 * 60_000 };
    const fake = await startFakeMastodon({
      domain: 'kill.test', liveFeeds: 'authenticated', tokens: [TOKEN], cacheSeconds: 1, heartbeatMs: 1000, seed: 71, users: 50_000,
      rateLimit: unlimited, pagingRateLimit: unlimited,
    });
    const host = new URL(fake.webUrl).host;
    const site = await serveStatic(DIST, { prefix: '/', isolated: true });
    const profile = mkdtempSync(path.join(tmpdir(), 'tootscope-kill-'));
    const pub = new PacedPublisher(fake, RATE);
    const rounds: Round[] = [];
    const unreachable = () =>
      fake.setFault({ failNextStreamRequests: { count: 1e9, status: 503 }, failNextTimelineRequests: { count: 1e9, status: 503 } });
    const reachable = () =>
      fake.setFault({ failNextStreamRequests: { count: 0, status: 503 }, failNextTimelineRequests: { count: 0, status: 503 } });

    const counts: Array<{ n: number; t: number }> = [];
    /** uri → when the page first took it in. */
    const readAt = new Map<string, number>();
    const batches: Array<{ seq: number; rows: number; writtenAt: number; takenAt: number; committed: number }> = [];
    const launch = async () => {
      const b = await launchBrowser({ userDataDir: profile });
      await b.context.exposeBinding('__tootscopeCount', (_src, n: number, t: number) => void counts.push({ n, t }));
      await b.context.exposeBinding('__tootscopeBatch', (_src, seq: number, rows: number, writtenAt: number, takenAt: number, committed: number) =>
        void batches.push({ seq, rows, writtenAt, takenAt, committed }));
      await b.context.exposeBinding('__tootscopeReceived', (_src, taken: Array<[string, number]>) => {
        for (const [u, t] of taken) if (!readAt.has(u)) readAt.set(u, t);
      });
      await b.context.addInitScript(COUNT_OBSERVER);
      return b;
    };
    const countAt = (t: number) => {
      let n = 0;
      for (const c of counts) if (c.t <= t) n = c.n;
      return n;
    };

    let browser = await launch();
    try {
      let page: Page = await openApp(browser.context, `${site.url}?instances=${fake.webUrl}`);
      await waitForRowState(page, host, /needs sign-in/, 60_000);
      await setToken(page, host, TOKEN);
      await waitForRowState(page, host, /^streaming/);

      for (let k = 0; k < KILLS; k++) {
        // A random moment: after 1.2 to 3 s of toots (counted, so a slow machine kills at the same point of the data).
        const due = Math.round(RATE * (1.2 + rng.next() * 1.8));
        const roundStart = Date.now();
        pub.start();
        await expect.poll(() => pub.sinceStart, { timeout: 60_000, interval: 5 }).toBeGreaterThanOrEqual(due);
        const kill = await killBrowser(profile);
        unreachable();
        pub.stop();
        const sent = pub.sinceStart;
        await browser.close().catch(() => undefined);

        // The newest batch committed before the kill, and the moment its rows were cut.
        const cut = Math.max(0, ...batches.filter((b) => b.committed <= kill && b.rows > 0).map((b) => b.takenAt));
        const takenBefore = (t: number) => [...readAt].filter(([, at]) => at < t).map(([u]) => u);
        const expected = cut ? takenBefore(cut) : [];
        const inMemory = takenBefore(kill).length - expected.length;
        const all = new Set(pub.uris);
        const t0 = Date.now();
        browser = await launch();
        page = await openApp(browser.context, site.url);
        const tOpened = Date.now();
        const { columns, rows } = await queryViaConsole(page, 'SELECT uri FROM toots');
        const tQueried = Date.now();
        // What the page says about its start (a rebuilt or unusable table file says why here).
        const said = await page.evaluate(() =>
          [...document.querySelectorAll('.banner, [data-testid="table-home"]')].map((e) => (e.textContent ?? '').trim()).filter((t) => /table|DuckDB|file/i.test(t)),
        );
        expect(columns).toEqual(['uri']);
        const stored = rows.map((r) => r[0]!);
        const have = new Set(stored);
        const lost = expected.filter((u) => !have.has(u));
        rounds.push({
          kill: k + 1,
          sent,
          expected: expected.length,
          exposure_ms: cut ? kill - cut : null,
          in_memory_at_kill: inMemory,
          sent_over_1s_not_kept: pub.sentBy(kill - 1000).filter((u) => !have.has(u)).length,
          stored: stored.length,
          lost: lost.length,
          duplicated: stored.length - have.size,
          extra: [...have].filter((u) => !all.has(u)).length,
          lost_taken_ms_before_kill: lost.slice(0, 5).map((u) => kill - readAt.get(u)!),
          taken_in_by_kill: countAt(kill),
          batches: batches.filter((b) => b.committed >= roundStart).map((b) => [b.rows, b.takenAt - kill, b.writtenAt - kill, b.committed - kill]),
        });

        // Back online: the row's "Retry now" skips what is left of its backoff (up to a minute after
        // the 503s of the start), and the reconnect backfills what the kill cut off, then streams.
        reachable();
        await expect
          .poll(async () => (await retryNow(page, host)) || /^streaming/.test((await row(page, host).getByTestId('state').textContent()) ?? ''), { timeout: 60_000, interval: 200 })
          .toBe(true);
        await waitForRowState(page, host, /^streaming/, 120_000);
        const tStreaming = Date.now();
        await waitForCount(page, all.size, 120_000);
        // Where a round's time goes: relaunch to a page that answers SQL, the query, the reconnect, the backfill.
        const ms = { until_kill: kill - roundStart, relaunch_to_sql: tOpened - t0, query: tQueried - tOpened, to_streaming: tStreaming - tQueried, caught_up: Date.now() - tStreaming };
        console.log(`kill ${k + 1}: ${JSON.stringify({ ...rounds.at(-1), ms, said })}`);
      }
    } finally {
      pub.stop();
      await browser.close().catch(() => undefined);
      await site.close();
      await fake.close();
      rmSync(profile, { recursive: true, force: true });
    }

    const lost = rounds.reduce((n, r) => n + r.lost, 0);
    const duplicated = rounds.reduce((n, r) => n + r.duplicated, 0);
    const exposure = rounds.map((r) => r.exposure_ms).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const sentOver1s = rounds.reduce((n, r) => n + r.sent_over_1s_not_kept, 0);
    console.log(JSON.stringify({ kills: rounds.length, lost, duplicated, exposure_ms_median: exposure[exposure.length >> 1] ?? null, exposure_ms_max: exposure.at(-1) ?? null, sent_over_1s_not_kept: sentOver1s }));
    // The observers must have seen the page at work, or every round would pass with nothing expected.
    expect(rounds.reduce((n, r) => n + r.expected, 0), 'statuses the page read before a cutoff').toBeGreaterThan(0);
    expect(rounds.some((r) => r.batches.length > 0), 'IndexedDB commits observed').toBe(true);
    const bad = rounds.filter((r) => r.lost || r.duplicated || r.extra);
    expect(bad, `seed ${SEED}: rounds that lost, doubled or invented toots`).toEqual([]);
    expect(rounds).toHaveLength(KILLS);
  });
});
