import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon } from '../fake-mastodon';
import { SseSource } from '../../src/sources/sse-source';
import { recordSource } from './helpers/source-recorder';

/** The stream reader against the fake server, in Node (fetch and streams are the same API). */
describe('SseSource', () => {
  let fake: FakeMastodon | null = null;
  let source: SseSource | null = null;
  afterEach(async () => {
    source?.stop();
    await fake?.close();
  });

  function start(f: FakeMastodon, watchdogMs: number) {
    const { events, states, lastId, callbacks } = recordSource();
    source = new SseSource(
      { baseUrl: f.webUrl, streamingBase: f.streamingUrl, channel: 'public', token: 'tok', lastId, watchdogMs },
      callbacks,
    );
    source.start();
    return { events, states };
  }

  const until = async (cond: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('declares a silent stream dead after the watchdog, reconnects and backfills what it missed', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], heartbeatMs: 60_000, cacheSeconds: 1, seed: 3 });
    const { events, states } = start(fake, 600);
    await until(() => states.some((s) => s.state === 'streaming'));
    const first = fake.publish();
    await until(() => events.length === 1);
    // The connection stays open but nothing comes (a dead proxy): only the watchdog can tell.
    fake.setFault({ stallStreams: true });
    const missed = [fake.publish(), fake.publish()];
    await until(() => states.some((s) => s.state === 'reconnecting' && /no data for 1 s/.test(s.reason)));
    fake.setFault({ stallStreams: false });
    await until(() => events.length === 3);
    const ids = events.map((e) => (e.kind === 'update' ? e.status.id : e.kind === 'delete' ? e.id : 'skipped'));
    expect(ids).toEqual([first.id, ...missed.map((s) => s.id)]);
    expect(events.slice(1).every((e) => e.kind === 'update' && e.via === 'backfill')).toBe(true);
  });

  it('hands on a cold start’s page and reads the stream only once the collector has kept where it begins', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], heartbeatMs: 60_000, cacheSeconds: 1, seed: 5 });
    const before = [fake.publish(), fake.publish()];
    const { events, states, lastId, callbacks } = recordSource();
    let keep!: () => void;
    const asked: string[][] = [];
    callbacks.onColdStart = (ids) => {
      asked.push([...ids]);
      return new Promise<void>((resolve) => (keep = resolve));
    };
    source = new SseSource({ baseUrl: fake.webUrl, streamingBase: fake.streamingUrl, channel: 'public', token: 'tok', lastId }, callbacks);
    source.start();
    await until(() => asked.length === 1);
    expect(asked[0]).toEqual(before.map((s) => s.id));
    // The stream is open, but what it carries waits for the beginning to be kept.
    await until(() => fake!.stats.openStreams === 1);
    const live = fake.publish();
    await new Promise((r) => setTimeout(r, 300));
    expect(events.map((e) => (e.kind === 'update' ? e.status.id : ''))).toEqual(before.map((s) => s.id));
    expect(states.some((s) => s.state === 'streaming')).toBe(false);
    keep();
    await until(() => events.length === 3);
    expect(events.at(-1)).toMatchObject({ kind: 'update', via: 'stream', status: { id: live.id } });
  });

  it('stops on a 401 with the server reason and closes its connection', async () => {
    fake = await startFakeMastodon({ tokens: ['other'], seed: 4 });
    const { states } = start(fake, 45_000);
    await until(() => states.some((s) => s.state === 'needs-sign-in'));
    expect(states.at(-1)).toEqual({ state: 'needs-sign-in', reason: '401: Invalid access token' });
    expect(fake.stats.openStreams).toBe(0);
  });
});
