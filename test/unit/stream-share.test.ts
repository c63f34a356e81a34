import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamShare, type StreamBacklog } from '../../src/sources/stream-share';

/** Issue 14: one flooding stream gets a bounded share of what the page takes in. */
describe('StreamShare', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether `p` settles while the fake clock moves on by `ms`. */
  async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
    let done = false;
    void p.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(ms);
    return done;
  }

  it('lets a stream within its share read on, and holds one past it until the excess has drained', async () => {
    const said: Array<StreamBacklog | null> = [];
    const share = new StreamShare((b) => said.push(b), 100, 1, () => Date.now());
    const signal = new AbortController().signal;
    // A quarter second's worth at once: no wait.
    for (let i = 0; i < 25; i++) share.note();
    expect(await settlesWithin(share.pace(0, signal), 0)).toBe(true);
    // Another quarter second's worth in the same instant: the reader waits 250 ms for it.
    for (let i = 0; i < 25; i++) share.note();
    const held = share.pace(0, signal);
    expect(await settlesWithin(held, 200)).toBe(false);
    expect(await settlesWithin(held, 60)).toBe(true);
  });

  it('holds a stream whose statuses take more than its share of the main thread', async () => {
    const share = new StreamShare(() => undefined, 1_000_000, 0.2, () => Date.now());
    const signal = new AbortController().signal;
    // 100 ms of work against 0.2 × 250 ms allowed ahead: (100 − 50) / 0.2 = 250 ms of waiting.
    const held = share.pace(100, signal);
    expect(await settlesWithin(held, 240)).toBe(false);
    expect(await settlesWithin(held, 20)).toBe(true);
  });

  it('says how much it takes in a second while held, and that it caught up once it stays within its share', async () => {
    const said: Array<StreamBacklog | null> = [];
    const share = new StreamShare((b) => said.push(b), 100, 1, () => Date.now());
    const signal = new AbortController().signal;
    // A server with more to send than the share: chunks of 10 always waiting, for 3 s.
    const start = Date.now();
    while (Date.now() - start < 3000) {
      for (let i = 0; i < 10; i++) share.note();
      let done = false;
      void share.pace(0, signal).then(() => (done = true));
      while (!done) await vi.advanceTimersByTimeAsync(5);
    }
    const rates = said.filter((b): b is StreamBacklog => b !== null).map((b) => b.perSecond);
    expect(rates.length).toBeGreaterThan(0);
    for (const r of rates) expect(r).toBeGreaterThanOrEqual(90);
    for (const r of rates) expect(r).toBeLessThanOrEqual(110);
    expect(said.at(-1)).not.toBeNull();
    // Then a trickle: 1 status every 100 ms, well within the share.
    for (let t = 0; t < 40; t++) {
      share.note();
      await vi.advanceTimersByTimeAsync(100);
      await share.pace(0, signal);
    }
    expect(said.at(-1)).toBeNull();
  });

  it('stops waiting when the reader is stopped', async () => {
    const share = new StreamShare(() => undefined, 10, 1, () => Date.now());
    const stop = new AbortController();
    for (let i = 0; i < 100; i++) share.note();
    const held = share.pace(0, stop.signal);
    const caught = held.catch((e: unknown) => e);
    stop.abort(new DOMException('stopped', 'AbortError'));
    expect(await caught).toBeInstanceOf(DOMException);
  });
});
