import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon } from '../fake-mastodon';
import { SseSource } from '../../src/sources/sse-source';
import type { StreamCoverage } from '../../src/sources/reconcile';
import type { SourceEvent, SourceState } from '../../src/sources/source';
import { compareIds, maxId } from '../../src/core/status-id';

/** The stream reader reconciling with the REST timeline, against a fake that drops stream events. */
describe('SseSource reconciliation', () => {
  let fake: FakeMastodon | null = null;
  let source: SseSource | null = null;
  afterEach(async () => {
    source?.stop();
    await fake?.close();
  });

  function start(f: FakeMastodon, reconcileMs: number) {
    const events: Array<Extract<SourceEvent, { kind: 'update' }>> = [];
    const states: SourceState[] = [];
    const coverage: StreamCoverage[] = [];
    let last: string | null = null;
    source = new SseSource(
      { baseUrl: f.webUrl, streamingBase: f.streamingUrl, channel: 'public', token: 'tok', lastId: () => last, reconcileMs },
      {
        onEvent: (e) => {
          if (e.kind !== 'update') return;
          events.push(e);
          last = maxId(last, e.status.id);
        },
        onState: (s) => states.push(s),
        onWarning: (w) => {
          throw new Error(`unexpected warning: ${w}`);
        },
        onCoverage: (c) => coverage.push(c),
      },
    );
    source.start();
    return { events, states, coverage };
  }

  const until = async (cond: () => boolean, what: string, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('fetches every status the stream dropped, once, and measures the coverage the fake really gave', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], cacheSeconds: 1, seed: 71, users: 5000 });
    const f = fake;
    f.publish(); // on the timeline before the stream opens: the connect-time backfill brings it
    const { events, states, coverage } = start(f, 300);
    await until(() => states.at(-1)?.state === 'streaming', 'streaming');
    f.setFault({ dropStreamEventsPercent: 50 });
    for (let i = 0; i < 200; i++) f.publish();
    await until(() => (coverage.at(-1)?.shown ?? 0) === 200, 'all 200 compared');
    const dropped = f.stats.streamEventsDropped;
    expect(dropped).toBeGreaterThan(50);
    const ids = events.map((e) => e.status.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing handed over twice
    expect(new Set(ids)).toEqual(new Set(f.groundTruth().published.map((s) => s.id)));
    const viaRest = events.filter((e) => e.via === 'backfill').map((e) => e.status.id);
    expect(viaRest.length).toBe(1 + dropped);
    expect(coverage.at(-1)).toMatchObject({ shown: 200, delivered: 200 - dropped, missedFetched: dropped });
    expect(coverage.at(-1)!.ratio).toBeCloseTo((200 - dropped) / 200, 10);
  });

  it('after a reconnect, backfills from where reconciliation got to, so drops before the break are fetched', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], cacheSeconds: 1, seed: 72, users: 5000 });
    const f = fake;
    // No round runs during the test: only the reconnect can find the drops.
    const { events, states } = start(f, 3_600_000);
    await until(() => states.at(-1)?.state === 'streaming', 'streaming');
    f.setFault({ dropStreamEventsPercent: 50 });
    const published = [...Array(40)].map(() => f.publish());
    const delivered = f.stats.streamEvents;
    await until(() => events.length === delivered, 'the delivered events');
    // The newest delivered id is past some dropped ones: a backfill from the newest id seen would skip them.
    const newest = events.at(-1)!.status.id;
    expect(published.some((p) => compareIds(p.id, newest) < 0 && !events.some((e) => e.status.id === p.id))).toBe(true);
    f.setFault({ dropStreamEventsPercent: 0 });
    expect(f.dropStreams()).toBe(1);
    await until(() => events.length >= 40, 'the backfill after the reconnect');
    await until(() => states.at(-1)?.state === 'streaming', 'streaming again');
    const ids = events.map((e) => e.status.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(published.map((p) => p.id)));
  });
});
