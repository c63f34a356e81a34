import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon, type FakeMastodonOptions } from '../fake-mastodon';
import { WsSource, type WebSocketCtor } from '../../src/sources/ws-source';
import type { SourceEvent } from '../../src/sources/source';
import type { StreamChannel } from '../../src/core/mastodon';
import { recordSource } from './helpers/source-recorder';


/** Waits on a condition; long enough for a reconnect's backoff on a busy machine. */
const poll = <T>(f: () => T) => expect.poll(f, { timeout: 20_000 });
/**
 * Issue 19: WsSource against the Akkoma, Pleroma and GoToSocial sides of the fake
 * (test/fake-mastodon/ws-flavours.ts, docs/FEDIVERSE-STREAMING.md), with their own ids.
 */
describe('WsSource on servers that are not Mastodon', () => {
  let fake: FakeMastodon | null = null;
  let source: WsSource | null = null;
  afterEach(async () => {
    source?.stop();
    await fake?.close();
  });

  function start(f: FakeMastodon, o: { token: string; channel?: StreamChannel }) {
    const { events, states, lastId, callbacks } = recordSource();
    source = new WsSource(
      {
        baseUrl: f.webUrl, streamingBase: f.streamingUrl, channel: o.channel ?? 'public', token: o.token,
        lastId, reconcileMs: 0, webSocket: WebSocket as unknown as WebSocketCtor,
      },
      callbacks,
    );
    source.start();
    return { events, states };
  }
  const updates = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'update' ? [e.status.id] : []));
  const akkoma: FakeMastodonOptions = { ids: 'flake', wsFlavour: 'akkoma', cacheSeconds: 0, software: { name: 'akkoma', version: '3.15.1' } };

  it('streams an Akkoma without a token, and after a dropped socket backfills its FlakeIds: nothing lost, nothing twice', async () => {
    fake = await startFakeMastodon({ ...akkoma, seed: 31 });
    const { events, states } = start(fake, { token: '' });
    await poll(() => states.at(-1)?.state).toBe('streaming');
    expect(fake.stats.webSocketTokenVia).toEqual(['none']);
    const first = [fake.publish(), fake.publish()];
    expect(first.every((s) => /^[0-9A-Za-z]{18}$/.test(s.id))).toBe(true);
    await poll(() => updates(events).length).toBe(2);
    fake.deleteStatus(first[0]!.id);
    await poll(() => events.some((e) => e.kind === 'delete' && e.id === first[0]!.id)).toBe(true);

    fake.dropStreams();
    const missed = [fake.publish(), fake.publish(), fake.publish()];
    await poll(() => fake!.stats.webSocketsOpened).toBe(2); // after the backoff
    await poll(() => states.at(-1)?.state).toBe('streaming');
    const marker = fake.publish();
    await poll(() => updates(events)).toContain(marker.id);
    const got = updates(events);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(expect.arrayContaining([first[1]!.id, ...missed.map((s) => s.id), marker.id]));
  });

  it('refuses an Akkoma upgrade with a token it does not know: the row needs sign-in', async () => {
    fake = await startFakeMastodon({ ...akkoma, seed: 32 });
    const { states } = start(fake, { token: 'stolen' });
    await poll(() => states.at(-1)?.state).toBe('needs-sign-in');
    expect(fake.stats.webSocketsRefused).toBeGreaterThanOrEqual(1);
  });

  it('asks for sign-in when an anonymous socket is refused and the timeline wants a user (422)', async () => {
    // A server that calls itself Akkoma but keeps Mastodon's rules (a fork, a proxy in front).
    fake = await startFakeMastodon({ software: { name: 'akkoma', version: '3.15.1' }, liveFeeds: 'authenticated', seed: 35 });
    const { states } = start(fake, { token: '' });
    await poll(() => states.at(-1)).toMatchObject({ state: 'needs-sign-in', reason: expect.stringMatching(/^422/) });
  });

  it('says so when a Pleroma refuses the subscription (pleroma:respond), instead of waiting on a silent socket', async () => {
    fake = await startFakeMastodon({ ...akkoma, wsFlavour: 'pleroma', seed: 33 });
    // Pleroma's public:remote needs an `instance`: without one it is a bad topic.
    const { states } = start(fake, { token: '', channel: 'public/remote' });
    await poll(() => states.at(-1)).toMatchObject({ state: 'error', reason: expect.stringMatching(/refused the public:remote stream: bad_topic/) });
  });

  it('streams a GoToSocial only signed in, with its ULIDs across a reconnect', async () => {
    fake = await startFakeMastodon({ ids: 'ulid', wsFlavour: 'gotosocial', tokens: ['tok'], liveFeeds: 'authenticated', cacheSeconds: 0, seed: 34 });
    // Without a token the upgrade is refused (the app polls REST instead: instance-state).
    start(fake, { token: '' });
    await poll(() => fake!.stats.webSocketsRefused).toBeGreaterThanOrEqual(1);
    expect(fake.stats.webSocketsOpened).toBe(0);
    source!.stop();
    const { events, states } = start(fake, { token: 'tok' });
    await poll(() => states.at(-1)?.state).toBe('streaming');
    const a = fake.publish();
    expect(a.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    await poll(() => updates(events)).toContain(a.id);
    fake.dropStreams();
    const missed = [fake.publish(), fake.publish()];
    await poll(() => states.filter((s) => s.state === 'streaming').length).toBe(2); // after the backoff
    const marker = fake.publish();
    await poll(() => updates(events)).toContain(marker.id);
    const got = updates(events);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual([a.id, ...missed.map((s) => s.id), marker.id]);
  });
});
