import { describe, expect, it } from 'vitest';
import type { MastodonStatus } from '../../src/core/mastodon';
import { StreamLedger } from '../../src/sources/reconcile';
import { ReconcileRounds } from '../../src/sources/reconcile-round';
import { TOKEN, fake } from './helpers/fake-server';

/** Only the id matters to the ledger. */
const st = (id: string) => ({ id }) as MastodonStatus;
const ids = (list: MastodonStatus[]) => list.map((s) => s.id);
// Snowflake-sized ids beyond 2^53; a shorter id is the smaller number, whatever its digits.
const B = 113_000_000_000_000_000n;
const id = (n: number) => String(B + BigInt(n));

describe('StreamLedger', () => {
  it('walks forward from where the backfill ended, comparing ids as numbers beyond 2^53', () => {
    const l = new StreamLedger({ settleMs: 0 });
    expect(l.cursor).toBeNull();
    l.addFetched([st(id(1))], 0); // not live yet: ignored
    expect(l.cursor).toBeNull();
    l.goLive('99999999999999999'); // 17 digits: below every 18-digit id
    l.addFetched([st(id(1)), st(id(2))], 0);
    expect(l.cursor).toBe(id(2));
    // A page that overlaps what was fetched adds only what is newer.
    l.addFetched([st(id(2)), st(id(3))], 0);
    expect(ids(l.judge(0))).toEqual([id(1), id(2), id(3)]);
    expect(l.decidedTo).toBe(id(3));
    expect(Number(id(3)) === Number(id(4))).toBe(true); // why strings: as numbers these are equal
    l.addFetched([st(id(4))], 0);
    expect(ids(l.judge(0))).toEqual([id(4)]);
  });

  it('gives the stream time to deliver, then hands over each missed status exactly once', () => {
    const l = new StreamLedger({ settleMs: 1000 });
    l.goLive(id(0));
    l.noteStreamed(id(1));
    l.addFetched([st(id(1)), st(id(2)), st(id(3))], 10_000);
    expect(l.judge(10_500)).toEqual([]); // not settled: the stream may still bring them
    l.noteStreamed(id(3)); // late but within the settle time
    l.addFetched([st(id(4))], 10_900);
    expect(ids(l.judge(11_000))).toEqual([id(2)]);
    expect(l.judge(11_000)).toEqual([]);
    expect(ids(l.judge(12_000))).toEqual([id(4)]);
    expect(l.judge(60_000)).toEqual([]);
    // Delivered after it was judged missed: changes nothing (dedup by uri keeps one copy).
    l.noteStreamed(id(2));
    expect(l.coverage(12_000)).toMatchObject({ shown: 4, delivered: 2, missedFetched: 2 });
  });

  it('measures coverage as delivered / shown over the window, null before anything was compared', () => {
    const l = new StreamLedger({ settleMs: 0, windowMs: 60_000 });
    expect(l.coverage(0)).toEqual({ shown: 0, delivered: 0, ratio: null, windowMs: 60_000, missedFetched: 0 });
    l.goLive(id(0));
    for (let i = 1; i <= 10; i++) if (i % 4 === 0) l.noteStreamed(id(i)); // 4 and 8
    l.addFetched([...Array(10)].map((_, i) => st(id(i + 1))), 0);
    l.judge(0);
    expect(l.coverage(1000)).toMatchObject({ shown: 10, delivered: 2, ratio: 0.2, missedFetched: 8 });
    for (let i = 11; i <= 20; i++) l.noteStreamed(id(i));
    l.addFetched([...Array(10)].map((_, i) => st(id(i + 11))), 30_000);
    l.judge(30_000);
    expect(l.coverage(31_000)).toMatchObject({ shown: 20, delivered: 12, ratio: 0.6 });
    // The first round leaves the window; the count of fetched posts is since the start.
    expect(l.coverage(61_000)).toMatchObject({ shown: 10, delivered: 10, ratio: 1, missedFetched: 8 });
    expect(l.coverage(100_000).ratio).toBeNull();
  });

  it('on a reconnect judges what was fetched, then the backfill up to what the old stream delivered', () => {
    const l = new StreamLedger({ settleMs: 60_000 });
    l.goLive(id(0));
    l.noteStreamed(id(1));
    l.addFetched([st(id(1)), st(id(2))], 0);
    // The stream goes on past the last round: 3 and 5 delivered, 4 dropped; then it breaks.
    l.noteStreamed(id(3));
    l.noteStreamed(id(5));
    expect(ids(l.judge(1, true))).toEqual([id(2)]); // the old connection cannot deliver it any more
    expect(l.decidedTo).toBe(id(2));
    // The backfill walks from decidedTo: 3..5 are judged, 6 and 7 fell into the reconnect gap.
    const out = l.takeBackfill([st(id(3)), st(id(4)), st(id(5)), st(id(6))], 2);
    expect(ids(out)).toEqual([id(4), id(6)]);
    // A backfill retried after a failure resumes after what it already handed over.
    expect(ids(l.takeBackfill([st(id(5)), st(id(6)), st(id(7))], 3))).toEqual([id(7)]);
    expect(l.coverage(4)).toMatchObject({ shown: 5, delivered: 3, missedFetched: 2 });
    l.goLive(id(7));
    expect(l.cursor).toBe(id(7));
    // The new connection's stream is measured from its own start: 6 and 7 were not its to deliver.
    l.noteStreamed(id(8));
    l.addFetched([st(id(8)), st(id(9))], 5);
    expect(ids(l.judge(1, true))).toEqual([id(9)]);
    expect(l.coverage(6)).toMatchObject({ shown: 7, delivered: 4, missedFetched: 3 });
  });
});

describe('ReconcileRounds against the fake', () => {
  it('fetches at most pagesPerRound pages a round and continues from there next round', async () => {
    const f = await fake({ seed: 61 });
    const before = f.publish({}, { stream: false });
    const later = [...Array(150)].map(() => f.publish({}, { stream: false }));
    const l = new StreamLedger({ settleMs: 0 });
    l.goLive(before.id);
    const rounds = new ReconcileRounds(l, { baseUrl: f.webUrl, channel: 'public', token: TOKEN, pagesPerRound: 2 });
    const emitted: MastodonStatus[] = [];
    const signal = new AbortController().signal;
    const pages = () => f.stats.requests['/api/v1/timelines/public'] ?? 0;
    expect(await rounds.run(signal, (s) => emitted.push(s))).toBeNull();
    expect(pages()).toBe(2);
    expect(l.cursor).toBe(later[79]!.id);
    await rounds.run(signal, (s) => emitted.push(s)); // judges the first 80, walks 2 more pages
    await rounds.run(signal, (s) => emitted.push(s));
    expect(ids(emitted)).toEqual(ids(later));
    expect(pages()).toBe(4 + 1); // the last round's walk reached the end: an empty page
    await rounds.run(signal, (s) => emitted.push(s));
    expect(emitted.length).toBe(150); // nothing twice
    expect(l.coverage(Date.now())).toMatchObject({ shown: 150, delivered: 0, ratio: 0, missedFetched: 150 });
  });

  it('keeps a reserve of requests: stops when X-RateLimit-Remaining reaches it, pauses on a 429', async () => {
    const f = await fake({ seed: 62, rateLimit: { limit: 10, windowMs: 60_000 } });
    const start = f.publish({}, { stream: false });
    for (let i = 0; i < 400; i++) f.publish({}, { stream: false });
    const l = new StreamLedger({ settleMs: 0 });
    l.goLive(start.id);
    const rounds = new ReconcileRounds(l, { baseUrl: f.webUrl, channel: 'public', token: TOKEN, pagesPerRound: 10, reserve: 7 });
    const signal = new AbortController().signal;
    const pages = () => f.stats.requests['/api/v1/timelines/public'] ?? 0;
    await rounds.run(signal, () => undefined);
    expect(pages()).toBe(3); // remaining 9, 8, 7: stop at the reserve
    await rounds.run(signal, () => undefined);
    expect(pages()).toBe(3); // paused until the window resets

    const g = await fake({ seed: 63 });
    const first = g.publish({}, { stream: false });
    g.publish({}, { stream: false });
    g.setFault({ failNextTimelineRequests: { count: 1, status: 429, resetInMs: 60_000 } });
    const m = new StreamLedger({ settleMs: 0 });
    m.goLive(first.id);
    const r = new ReconcileRounds(m, { baseUrl: g.webUrl, channel: 'public', token: TOKEN });
    expect(await r.run(signal, () => undefined)).toBeNull(); // a 429 is no fault of the stream: no warning
    await r.run(signal, () => undefined);
    expect(g.stats.requests['/api/v1/timelines/public']).toBe(1);
    expect(m.cursor).toBe(first.id);
  });
});
