import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startFakeMastodon, type FakeMastodon } from '../../fake-mastodon';
import { Rng } from '../../../src/core/demo/random';
import { nativeQuery } from '../../unit/helpers/native-duckdb';
import { DIST } from './global-setup';
import { serveStatic } from './static-server';
import { launchBrowser } from './browser';
import { openApp, row, setToken, tootsCollected } from './app-page';

/**
 * Issue 3's fault suite, shared by `test/e2e/reliability.test.ts` (which asserts) and
 * `npm run bench:reliability` (which records the figures). Two fake instances, the built app in
 * headless Chromium, and a run of `toots` posts published in bursts while the stream is cut
 * `disconnects` times, malformed events arrive, a backfill meets a 429, the token is revoked
 * (then replaced through the Access token field) and the page is reloaded mid-stream. At the end
 * the exported Parquet is compared, uri by uri, with what the fake servers hold.
 *
 * - alpha: anonymous, read by REST polling (cacheSeconds 1). Its deletes are never seen by the
 *   app (Mastodon has no way to tell a poller), so only posts beta carries are deleted once collected.
 * - beta: live feeds need a token, read by SSE. Every delete goes to every instance carrying the
 *   post, as Mastodon federates it.
 */

export interface FaultScenarioOptions {
  /** Distinct posts (uris) published over the run, deleted ones included. */
  toots?: number;
  /** Stream drops (`dropStreams()` cutting an open stream). */
  disconnects?: number;
  seed?: number;
  log?: (line: string) => void;
}

export type Phase = 'pre' | 'live' | 'gap' | 'vanish' | 'sign-in-gap' | 'reload' | 'final';
type Kind = 'alpha' | 'beta' | 'shared';

export interface Miss {
  uri: string;
  kind: Kind;
  phase: Phase;
  round: number;
}

export interface FaultScenarioResult {
  toots: number;
  /** Statuses published on the two servers (a shared post counts twice). */
  deliveries: number;
  shared: number;
  edits: number;
  /** Posts deleted at the source (posts deleted before anyone could collect them included). */
  deletes: number;
  malformed: number;
  disconnects: number;
  /** Drops that landed while the row said "backfilling". */
  drops_during_backfill: number;
  /** Sockets destroyed by the drops (more than `disconnects` means streams were left open). */
  sockets_dropped: number;
  expected: number;
  rows: number;
  distinct: number;
  lost: number;
  duplicated: number;
  /** Stored posts that the servers no longer hold (a delete that did not take). */
  extra: number;
  /**
   * Copies an instance holds whose stored row does not list that instance in `seen_on`: a copy
   * the app never received, hidden from `lost` when the other instance's copy arrived.
   */
  unseen_copies: { alpha: number; beta: number };
  unseen_sample: Array<Miss & { instance: string }>;
  collected: number;
  edits_applied: number;
  backfill_ms: number[];
  backfill_ms_median: number;
  backfill_ms_max: number;
  /** Backfills cut short (by a drop or the 429) before the row went back to streaming. */
  backfills_interrupted: number;
  /** From each drop to the row streaming again with the gap filled. */
  recovery_ms_median: number;
  recovery_ms_max: number;
  rate_limit: { state: string; fault_url: string; waited_ms: number; recovered_ms: number; streams_open_after: number };
  sign_in: { state: string; resumed_ms: number };
  reload: { streaming_ms: number };
  settle_ms: number;
  duration_ms: number;
  lost_sample: Miss[];
  /** With the stored row's seen_on, to tell a delete that did not resolve from a copy never received. */
  extra_sample: Array<Miss & { seen_on: string }>;
  /** `kind/phase` → count, and the rounds they were published in. */
  lost_by_phase: Record<string, number>;
  extra_by_phase: Record<string, number>;
  unseen_by_phase: Record<string, number>;
  lost_rounds: number[];
  extra_rounds: number[];
  unseen_rounds: number[];
  warnings: string[];
  page_errors: string[];
  /** Rounds whose mid-run check (count equals the ground truth) did not settle. */
  unsettled_rounds: Array<{ round: number; collected: number; expected: number }>;
}

/** Malformed events a stream might carry; the app must skip each with a warning and lose nothing. */
const MALFORMED = [
  'event: update\ndata: {"this is": not json\n\n',
  'event: delete\ndata: {"id": 1}\n\n',
  'event: update\ndata: [1,2\n\n',
  'event: status.update\ndata: {"id":"1"\n\n',
  'event: update\ndata: {"id":"12","uri":null,"account":null}\n\n',
  'event: update\ndata:\n\n',
  'data: an event without a name\n\n',
  'event: unknown.kind\ndata: {}\n\n',
];

const BETA_TOKEN_1 = 'beta-token-1';
const BETA_TOKEN_2 = 'beta-token-2';

/** Records every change of a row's state text with the page's clock; survives reloads. */
const STATE_OBSERVER = `(() => {
  const last = new Map();
  const scan = () => {
    for (const el of document.querySelectorAll('li.row[data-host] [data-testid="state"]')) {
      const host = el.closest('li.row').getAttribute('data-host');
      const text = el.textContent || '';
      if (last.get(host) !== text) {
        last.set(host, text);
        if (window.__tootscopeState) window.__tootscopeState(host, text, Date.now());
      }
    }
  };
  const start = () => new MutationObserver(scan).observe(document, { subtree: true, childList: true, characterData: true });
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

export async function runFaultScenario(opts: FaultScenarioOptions = {}): Promise<FaultScenarioResult> {
  const TOOTS = opts.toots ?? 20_000;
  const DROPS = opts.disconnects ?? 50;
  const log = opts.log ?? (() => undefined);
  const rng = new Rng(opts.seed ?? 2026);
  const t0 = Date.now();

  // The run publishes ~100× a busy instance's rate, so the fakes' throttles are raised 10×; the
  // 429 the suite is about is injected at a chosen moment instead.
  const limits = { rateLimit: { limit: 3000, windowMs: 5 * 60_000 }, pagingRateLimit: { limit: 3000, windowMs: 15 * 60_000 } };
  const alpha = await startFakeMastodon({ domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 31, users: 20_000, ...limits });
  const beta = await startFakeMastodon({
    domain: 'beta.test', liveFeeds: 'authenticated', tokens: [BETA_TOKEN_1], cacheSeconds: 1, heartbeatMs: 1000, seed: 32, users: 20_000, ...limits,
  });
  const site = await serveStatic(DIST, { prefix: '/', isolated: true });
  const browser = await launchBrowser();
  const aHost = new URL(alpha.webUrl).host;
  const bHost = new URL(beta.webUrl).host;

  const states: Array<{ host: string; text: string; t: number }> = [];
  const pageErrors: string[] = [];
  await browser.context.exposeBinding('__tootscopeState', (_src, host: string, text: string, t: number) => {
    states.push({ host, text, t });
  });
  await browser.context.addInitScript(STATE_OBSERVER);

  // What was published, by uri: to explain any loss by where and when the post was made.
  const origin = new Map<string, { kind: Kind; phase: Phase; round: number }>();
  const betaOnly: Array<{ id: string; uri: string; round: number }> = [];
  const sharedPosts: Array<{ alphaId: string; betaId: string; uri: string; round: number; phase: Phase }> = [];
  const deleted = new Set<string>();
  const edited = new Map<string, string>();
  let published = 0;
  let deliveries = 0;
  let round = -1;
  let phase: Phase = 'pre';
  let malformed = 0;

  const pubAlpha = () => {
    const s = alpha.publish();
    origin.set(s.uri, { kind: 'alpha', phase, round });
    published++;
    deliveries++;
  };
  const pubBeta = (stream = true) => {
    const s = beta.publish({}, { stream });
    origin.set(s.uri, { kind: 'beta', phase, round });
    betaOnly.push({ id: s.id, uri: s.uri, round });
    published++;
    deliveries++;
  };
  const pubShared = (stream = true) => {
    const a = alpha.publish();
    const b = beta.publishFrom(a, { stream });
    origin.set(a.uri, { kind: 'shared', phase, round });
    sharedPosts.push({ alphaId: a.id, betaId: b.id, uri: a.uri, round, phase });
    published++;
    deliveries += 2;
  };
  /** n posts: 40 % alpha only, 40 % beta only, 20 % on both. */
  const mix = (n: number, stream = true, shares = { alpha: 0.4, beta: 0.4 }) => {
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      if (x < shares.alpha) pubAlpha();
      else if (x < shares.alpha + shares.beta) pubBeta(stream);
      else pubShared(stream);
    }
  };
  /** Posts that are gone before any reader could see them: published and deleted at once. */
  const vanish = () => {
    const before = phase;
    phase = 'vanish';
    const b = beta.publish({}, { stream: false });
    beta.deleteStatus(b.id);
    const a = alpha.publish();
    alpha.deleteStatus(a.id);
    for (const s of [a, b]) {
      origin.set(s.uri, { kind: s === a ? 'alpha' : 'beta', phase, round });
      deleted.add(s.uri);
    }
    published += 2;
    deliveries += 2;
    phase = before;
  };

  const expectedUris = (): Set<string> => {
    const uris = new Set<string>();
    for (const f of [alpha, beta]) for (const s of f.groundTruth().published) uris.add(s.uri);
    return uris;
  };

  const stateAfter = async (host: string, re: RegExp, since: number, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = states.find((s) => s.host === host && s.t >= since && re.test(s.text));
      if (hit) return hit;
      if (Date.now() > end) {
        const seen = states.filter((s) => s.host === host && s.t >= since).map((s) => s.text);
        throw new Error(`${host} never showed ${re} after ${new Date(since).toISOString()}; it showed: ${JSON.stringify(seen.slice(-8))}`);
      }
      await sleep(20);
    }
  };
  const stateAt = (host: string, t: number) => {
    let text = '';
    for (const s of states) if (s.host === host && s.t <= t) text = s.text;
    return text;
  };

  /** Waits until the server has accepted a new stream (streamsOpened passed `before`). */
  let lastReopen = 0;
  /** When the token was revoked and the page reloaded: a drop's recovery that spans them is not counted. */
  const interruptions: number[] = [];
  const reopened = async (before: number, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (beta.stats.streamsOpened <= before) {
      if (Date.now() > end) throw new Error(`beta: no stream reopened within ${timeoutMs} ms (state: ${stateAt(bHost, Date.now())})`);
      await sleep(5);
    }
    lastReopen = Date.now();
  };

  let page!: Page;
  /** Waits for "Toots collected" to equal the ground truth, or to stop moving for `quietMs`. */
  const settle = async (quietMs: number, maxMs: number) => {
    const start = Date.now();
    let last = -1;
    let changed = Date.now();
    for (;;) {
      const want = expectedUris().size;
      const have = await tootsCollected(page);
      if (have === want) return { ok: true, have, want, ms: Date.now() - start };
      if (have !== last) {
        last = have;
        changed = Date.now();
      }
      if (Date.now() - changed > quietMs || Date.now() - start > maxMs) return { ok: false, have, want, ms: Date.now() - start };
      await sleep(200);
    }
  };

  const warnings = new Set<string>();
  const readWarnings = async () => {
    for (const w of await row(page, bHost).locator('.warnings li').allTextContents()) warnings.add(w);
  };

  let disconnects = 0;
  let socketsDropped = 0;
  let dropsDuringBackfill = 0;
  const dropTimes: number[] = [];
  const drop = () => {
    const n = beta.dropStreams();
    socketsDropped += n;
    if (n === 0) return false;
    const t = Date.now();
    if (/^backfilling/.test(stateAt(bHost, t))) dropsDuringBackfill++;
    dropTimes.push(t);
    disconnects++;
    return true;
  };

  const unsettled: FaultScenarioResult['unsettled_rounds'] = [];
  let rateLimit: FaultScenarioResult['rate_limit'] = { state: '', fault_url: '', waited_ms: 0, recovered_ms: 0, streams_open_after: 0 };
  let signIn: FaultScenarioResult['sign_in'] = { state: '', resumed_ms: 0 };
  let reload: FaultScenarioResult['reload'] = { streaming_ms: 0 };

  try {
    page = await openApp(browser.context, `${site.url}?instances=${alpha.webUrl},${beta.webUrl}`);
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    // History before the page opens: fewer than one page (40), so a cold start takes all of it.
    for (let i = 0; i < 10; i++) pubAlpha();
    for (let i = 0; i < 5; i++) pubShared();
    for (let i = 0; i < 10; i++) pubBeta();
    await stateAfter(aHost, /^polling/, t0, 60_000);
    await stateAfter(bHost, /needs sign-in/, t0, 60_000);
    await setToken(page, bHost, BETA_TOKEN_1);
    await stateAfter(bHost, /^streaming/, t0);
    const first = await settle(10_000, 30_000);
    if (!first.ok) throw new Error(`the pre-existing posts did not all arrive: ${first.have} of ${first.want}`);
    log(`start: both rows up, ${first.have} toots, ${Date.now() - t0} ms`);

    const RATE_LIMIT_ROUND = 12;
    const REVOKE_ROUND = 20;
    const RELOAD_ROUND = 32;
    const settled = (r: number) => r % 8 === 3;
    // A drop right after the server took the previous round's new stream, while its backfill runs
    // (not after the 429 round, which ends once streaming again, nor on a special round).
    const midBackfill = (r: number) =>
      r % 7 === 6 && !settled(r) && ![RATE_LIMIT_ROUND, RATE_LIMIT_ROUND + 1, REVOKE_ROUND, RELOAD_ROUND].includes(r);

    for (round = 0; disconnects < DROPS; round++) {
      const left = Math.max(0, TOOTS - published);
      const per = Math.floor(left / (DROPS - disconnects + 1));

      if (midBackfill(round)) {
        // The previous round ended the moment the server took the new stream: its backfill is running.
        phase = 'gap';
        const before = beta.stats.streamsOpened;
        drop();
        mix(per, false, { alpha: 0.3, beta: 0.5 });
        vanish();
        await reopened(before);
        continue;
      }

      if (settled(round)) {
        // Edits and deletes of posts collected earlier, sent while the stream is up, then a check
        // that the count equals the ground truth, so none of them is still in flight at the next cut.
        const candidates = betaOnly.filter((p) => p.round < round - 1 && !deleted.has(p.uri) && !edited.has(p.uri));
        for (let i = 0; i < 3 && candidates.length; i++) {
          const p = candidates.splice(rng.int(candidates.length), 1)[0]!;
          const text = `edited in round ${round} #${i}`;
          beta.edit(p.id, { content: `<p>${text}</p>` });
          edited.set(p.uri, text);
        }
        for (let i = 0; i < 2 && candidates.length; i++) {
          const p = candidates.splice(rng.int(candidates.length), 1)[0]!;
          beta.deleteStatus(p.id);
          deleted.add(p.uri);
        }
        const sharedLeft = sharedPosts.filter((p) => p.round < round - 1 && !deleted.has(p.uri));
        for (const wanted of ['gap', 'gap', 'live', 'sign-in-gap'] as const) {
          // Picked at random among the phase's posts: posts of one gap share their fate (same batches).
          const of = sharedLeft.filter((p) => p.phase === wanted);
          if (!of.length) continue;
          const p = of[rng.int(of.length)]!;
          sharedLeft.splice(sharedLeft.indexOf(p), 1);
          alpha.deleteStatus(p.alphaId);
          beta.deleteStatus(p.betaId);
          deleted.add(p.uri);
        }
        beta.sendRaw(MALFORMED[malformed++ % MALFORMED.length]!);
      }

      // Live traffic, in four bursts.
      phase = 'live';
      const live = Math.round(per * 0.65);
      for (let b = 0; b < 4; b++) {
        mix(Math.round(live / 4));
        if (round % 5 === 0 && b === 1) beta.sendRaw(MALFORMED[malformed++ % MALFORMED.length]!);
        await sleep(40);
      }

      if (settled(round)) {
        const s = await settle(4000, 30_000);
        await readWarnings();
        if (!s.ok) unsettled.push({ round, collected: s.have, expected: s.want });
        log(`round ${round}: settled=${s.ok} collected ${s.have} / expected ${s.want} in ${s.ms} ms`);
      }

      if (round === REVOKE_ROUND) {
        // The token is revoked: the server ends the stream, the reconnect gets 401.
        const at = Date.now();
        interruptions.push(at);
        beta.revokeToken(BETA_TOKEN_1);
        const needs = await stateAfter(bHost, /needs sign-in/, at);
        signIn.state = needs.text;
        phase = 'sign-in-gap';
        for (let b = 0; b < 4; b++) {
          mix(Math.round(per * 0.5 / 4), true, { alpha: 0.3, beta: 0.5 });
          await sleep(100);
        }
        beta.addToken(BETA_TOKEN_2);
        const set = Date.now();
        await setToken(page, bHost, BETA_TOKEN_2);
        const back = await stateAfter(bHost, /^streaming/, set);
        signIn.resumed_ms = back.t - set;
        log(`round ${round}: "${signIn.state}", new token streaming after ${signIn.resumed_ms} ms`);
      }

      if (round === RELOAD_ROUND) {
        // Reload while posts keep coming on both instances.
        phase = 'reload';
        const feeder = setInterval(() => mix(8), 100);
        const at = Date.now();
        interruptions.push(at);
        try {
          await page.reload();
          const back = await stateAfter(bHost, /^streaming/, at, 60_000);
          await stateAfter(aHost, /^polling/, at, 60_000);
          reload = { streaming_ms: back.t - at };
        } finally {
          clearInterval(feeder);
        }
        log(`round ${round}: reloaded, streaming again after ${reload.streaming_ms} ms`);
      }

      if (round === RATE_LIMIT_ROUND) {
        // The second page of the next backfill answers 429 with X-RateLimit-Reset 2 s ahead. The
        // previous backfill must be over, so that it is the new connection's backfill that fails.
        await stateAfter(bHost, /^streaming/, lastReopen);
        beta.setFault({ failNextTimelineRequests: { count: 1, status: 429, after: 1, resetInMs: 2000 } });
      }

      // Cut the stream; what is published now reaches beta's REST timeline only.
      const before = beta.stats.streamsOpened;
      drop();
      phase = 'gap';
      mix(round === RATE_LIMIT_ROUND ? Math.max(per - live, 150) : per - live, false, { alpha: 0.3, beta: 0.5 });
      vanish();

      if (round === RATE_LIMIT_ROUND) {
        const end = Date.now() + 30_000;
        while (!beta.stats.faultsServed.length && Date.now() < end) await sleep(10);
        const fault = beta.stats.faultsServed[0];
        if (!fault) throw new Error('the 429 fault was never served');
        const limited = await stateAfter(bHost, /429/, fault.at - 50);
        const next = await stateAfter(bHost, /^(connecting|backfilling)/, limited.t + 1);
        const back = await stateAfter(bHost, /^streaming/, next.t);
        await sleep(300);
        rateLimit = {
          state: limited.text,
          fault_url: fault.url,
          waited_ms: next.t - limited.t,
          recovered_ms: back.t - fault.at,
          streams_open_after: beta.stats.openStreams,
        };
        log(`round ${round}: 429 on ${fault.url}; "${limited.text}"; retried after ${rateLimit.waited_ms} ms; ${rateLimit.streams_open_after} stream(s) open`);
      } else {
        await reopened(before);
      }
      if (round % 10 === 9) log(`round ${round}: ${disconnects} disconnects, ${published} toots published, ${Date.now() - t0} ms`);
    }

    // The rest of the run, then wait for the count to equal the ground truth (or stop moving).
    phase = 'final';
    mix(Math.max(0, TOOTS - published));
    const end = await settle(10_000, 90_000);
    await readWarnings();
    log(`final: collected ${end.have} / expected ${end.want} after ${end.ms} ms`);

    // Export and read back with native DuckDB.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Parquet' }).click()]);
    const dir = mkdtempSync(path.join(tmpdir(), 'tootscope-reliability-'));
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const stored = await nativeQuery<{ uri: string; text: string | null; seen: string }>(
      `SELECT uri, mastodon_text AS text, seen_on::VARCHAR AS seen FROM read_parquet('${file}')`,
    );
    rmSync(dir, { recursive: true, force: true });
    const collected = await tootsCollected(page);

    const expected = expectedUris();
    const distinct = new Set(stored.map((r) => r.uri));
    const text = new Map(stored.map((r) => [r.uri, r.text]));
    const miss = (uri: string): Miss => ({ uri, ...(origin.get(uri) ?? { kind: 'alpha', phase: 'pre', round: -1 }) });
    const lost = [...expected].filter((u) => !distinct.has(u)).map(miss);
    const extra = [...distinct].filter((u) => !expected.has(u)).map(miss);
    const seen = new Map(stored.map((r) => [r.uri, r.seen]));
    const unseenAll: Array<Miss & { instance: string }> = [];
    const unseenCopies = { alpha: 0, beta: 0 };
    for (const [name, f] of [['alpha', alpha], ['beta', beta]] as const) {
      for (const st of f.groundTruth().published) {
        const on = seen.get(st.uri);
        if (on === undefined || on.includes(f.webUrl)) continue;
        unseenCopies[name]++;
        unseenAll.push({ instance: name, ...miss(st.uri) });
      }
    }
    const rounds = (xs: Miss[]) => [...new Set(xs.map((m) => m.round))].sort((a, b) => a - b);
    const byPhase = (xs: Miss[]) => xs.reduce<Record<string, number>>((acc, m) => ({ ...acc, [`${m.kind}/${m.phase}`]: (acc[`${m.kind}/${m.phase}`] ?? 0) + 1 }), {});
    let editsApplied = 0;
    let editsExpected = 0;
    for (const [uri, t] of edited) {
      if (!expected.has(uri)) continue;
      editsExpected++;
      if (text.get(uri) === t) editsApplied++;
    }

    // Backfill time: each stay in "backfilling" that ended in "streaming".
    const beta_ = states.filter((s) => s.host === bHost);
    const backfills: number[] = [];
    let interrupted = 0;
    for (let i = 0; i < beta_.length; i++) {
      if (!/^backfilling/.test(beta_[i]!.text)) continue;
      const next = beta_[i + 1];
      if (next && /^streaming/.test(next.text)) backfills.push(next.t - beta_[i]!.t);
      else interrupted++;
    }
    const recoveries = dropTimes
      .map((t) => {
        const back = beta_.find((s) => s.t > t && /^streaming/.test(s.text));
        return back && !interruptions.some((x) => x > t && x < back.t) ? back.t - t : NaN;
      })
      .filter((x) => Number.isFinite(x));

    const allDeleted = new Set([...alpha.deletedStatuses(), ...beta.deletedStatuses()].map((s) => s.uri));
    return {
      toots: published,
      deliveries,
      shared: sharedPosts.length,
      edits: editsExpected,
      deletes: [...allDeleted].filter((u) => !expected.has(u)).length,
      malformed,
      disconnects,
      drops_during_backfill: dropsDuringBackfill,
      sockets_dropped: socketsDropped,
      expected: expected.size,
      rows: stored.length,
      distinct: distinct.size,
      lost: lost.length,
      duplicated: stored.length - distinct.size,
      extra: extra.length,
      unseen_copies: unseenCopies,
      unseen_sample: unseenAll.slice(0, 5),
      collected,
      edits_applied: editsApplied,
      backfill_ms: backfills,
      backfill_ms_median: median(backfills),
      backfill_ms_max: backfills.length ? Math.max(...backfills) : 0,
      backfills_interrupted: interrupted,
      recovery_ms_median: median(recoveries),
      recovery_ms_max: recoveries.length ? Math.max(...recoveries) : 0,
      rate_limit: rateLimit,
      sign_in: signIn,
      reload,
      settle_ms: end.ms,
      duration_ms: Date.now() - t0,
      lost_sample: lost.slice(0, 5),
      extra_sample: extra.slice(0, 5).map((m) => ({ ...m, seen_on: seen.get(m.uri) ?? '' })),
      lost_by_phase: byPhase(lost),
      extra_by_phase: byPhase(extra),
      unseen_by_phase: byPhase(unseenAll),
      lost_rounds: rounds(lost),
      extra_rounds: rounds(extra),
      unseen_rounds: rounds(unseenAll),
      warnings: [...warnings],
      page_errors: pageErrors,
      unsettled_rounds: unsettled,
    };
  } finally {
    await browser.close();
    await site.close();
    await alpha.close();
    await beta.close();
  }
}

export type { FakeMastodon };
