import { afterEach, describe, expect, it } from 'vitest';
import { nestedArrays, rawJson, startFakeMastodon, type FakeMastodon } from '../fake-mastodon';
import { startElsewhere, startSilent, type Elsewhere } from '../fake-mastodon/elsewhere';
import { nestsDeeperThan } from '../../src/core/json-depth';
import { guardedFetch, NoAnswerError, RedirectRefusedError, TooLargeError } from '../../src/sources/http-guard';
import { SseSource } from '../../src/sources/sse-source';
import { fetchPage, timelineUrl } from '../../src/sources/timeline-pager';
import type { SourceEvent, SourceState } from '../../src/sources/source';
import { maxId } from '../../src/core/status-id';

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Issue 14 item 5 and the network attacks, against the readers in Node (same fetch and streams). */
describe('readers against a hostile server', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  async function fakeWith(token = 'tok'): Promise<FakeMastodon> {
    const f = await startFakeMastodon({ tokens: [token], cacheSeconds: 1, heartbeatMs: 60_000, seed: 21 });
    closers.push(() => f.close());
    return f;
  }
  async function elsewhere(): Promise<Elsewhere> {
    const e = await startElsewhere();
    closers.push(() => e.close());
    return e;
  }

  it('refuses a timeline page redirected to another origin, and sends that origin no token', async () => {
    const fake = await fakeWith();
    const other = await elsewhere();
    fake.publish();
    fake.setFault({ redirectTimelineTo: other.url });
    const err = await fetchPage(timelineUrl(fake.webUrl, 'public', {}), 'tok', new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedirectRefusedError);
    expect((err as Error).message).toContain(`redirected its public timeline to ${new URL(other.url).host}`);
    expect(other.requests.some((r) => r.authorization)).toBe(false);
  });

  it('gives up on a server that never answers, and on one that stalls the body, after the deadline', async () => {
    const silent = await startSilent();
    closers.push(() => silent.close());
    const host = new URL(silent.url).host;
    const signal = new AbortController().signal;
    const hung = await guardedFetch(`${silent.url}/api/v2/instance`, { signal }, { maxBytes: 1000, timeoutMs: 1000, what: 'x' }).catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(NoAnswerError);
    expect((hung as Error).message).toBe(`no answer from ${host} in 1 s`);

    const fake = await fakeWith();
    fake.publish();
    fake.setFault({ hostileTimeline: { count: 1, answer: { kind: 'stall-body' } } });
    const got = await guardedFetch(timelineUrl(fake.webUrl, 'public', {}), { signal }, { maxBytes: 1e6, timeoutMs: 1000, what: 'x' });
    expect(got.res.status).toBe(200);
    const stalled = await got.json().catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(NoAnswerError);
  });

  it('cuts a 100 MB timeline page off at the cap', async () => {
    const fake = await fakeWith();
    fake.publish();
    fake.setFault({ hostileTimeline: { count: 1, answer: { kind: 'huge', bytes: 100 * 1024 * 1024 } } });
    const err = await fetchPage(timelineUrl(fake.webUrl, 'public', {}), null, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as Error).message).toMatch(/sent more than 16 MB for its public timeline; cut off/);
    // The next answer is a normal page again.
    expect((await fetchPage(timelineUrl(fake.webUrl, 'public', {}), null, new AbortController().signal)).statuses).toHaveLength(1);
  });

  it('measures depth without recursion, however deep', () => {
    expect(nestsDeeperThan(JSON.parse(`{"a":${nestedArrays(100_000)}}`))).toBe(true);
    expect(nestsDeeperThan({ a: { b: [{ c: 1 }] } })).toBe(false);
  });

  describe('SseSource', () => {
    function start(f: FakeMastodon) {
      const events: SourceEvent[] = [];
      const states: SourceState[] = [];
      const warnings: string[] = [];
      let last: string | null = null;
      const source = new SseSource(
        { baseUrl: f.webUrl, streamingBase: f.streamingUrl, channel: 'public', token: 'tok', lastId: () => last },
        {
          onEvent: (e) => {
            events.push(e);
            if (e.kind === 'update') last = maxId(last, e.status.id);
          },
          onState: (s) => states.push(s),
          onWarning: (w) => warnings.push(w),
        },
      );
      source.start();
      closers.push(() => source.stop());
      return { events, states, warnings };
    }
    const ids = (events: SourceEvent[]) => events.map((e) => (e.kind === 'update' ? e.status.id : e.kind === 'delete' ? e.id : 'skipped'));

    it('stops on a stream redirected to another origin and reads nothing from it', async () => {
      const fake = await fakeWith();
      const other = await elsewhere();
      fake.setFault({ redirectStreamsTo: other.url });
      const { events, states } = start(fake);
      await until(() => states.some((s) => s.state === 'error'));
      expect(states.at(-1)).toEqual({
        state: 'error',
        reason: `the stream of ${new URL(fake.streamingUrl).host} redirected to ${new URL(other.url).host}; refused: only the instance's own streaming host is read`,
      });
      expect(events).toEqual([]);
      expect(other.requests.filter((r) => r.path.startsWith('/api/v1/streaming')).length).toBe(1);
      expect(other.requests.some((r) => r.authorization)).toBe(false);
    });

    it('skips a deeply nested status in the stream and in the backfill page, keeping its neighbours', async () => {
      const fake = await fakeWith();
      const first = fake.publish();
      const deepInPage = fake.publish({ x_extra: rawJson(nestedArrays(100_000)) } as never);
      const { events, states, warnings } = start(fake);
      await until(() => states.some((s) => s.state === 'streaming'));
      const a = fake.publish();
      fake.publish({ x_extra: rawJson(nestedArrays(100_000)) } as never);
      const b = fake.publish();
      await until(() => events.length === 5);
      const skipped = events.filter((e) => e.kind === 'skipped');
      expect(ids(events.filter((e) => e.kind !== 'skipped'))).toEqual([first.id, a.id, b.id]);
      expect(skipped.map((e) => e.kind === 'skipped' && e.reason.startsWith('nested deeper than any real one'))).toEqual([true, true]);
      expect(skipped.map((e) => e.kind === 'skipped' && e.reason).join()).toContain(deepInPage.id);
      expect(warnings).toEqual([]);
    });

    it('cuts off an event that never ends, reconnects and loses nothing after it', async () => {
      const fake = await fakeWith();
      const { events, states } = start(fake);
      await until(() => states.some((s) => s.state === 'streaming'));
      const before = fake.publish();
      await until(() => events.length === 1);
      const taken = await fake.sendEndless('event: update\ndata: {"id":"1","content":"', 100 * 1024 * 1024);
      // The client hung up long before 100 MB (what it read is bounded by the cap plus buffers).
      expect(taken[0]).toBeLessThan(40 * 1024 * 1024);
      await until(() => states.some((s) => s.state === 'reconnecting' && /event longer than 8 M characters; cut off/.test(s.reason)));
      const after = fake.publish();
      await until(() => events.some((e) => e.kind === 'update' && e.status.id === after.id));
      expect(ids(events)).toEqual([before.id, after.id]);
    });
  });
});
