import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon } from '../fake-mastodon';
import { SseSource } from '../../src/sources/sse-source';
import { WsSource, type WebSocketCtor } from '../../src/sources/ws-source';
import { RestPoller } from '../../src/sources/rest-poller';
import type { Source, SourceCallbacks } from '../../src/sources/source';
import type { MastodonStatus, StreamChannel } from '../../src/core/mastodon';
import { formatChannel, hashtagChannel, parseChannel, feedKey, parseFeedKey } from '../../src/core/channel';
import { recordSource } from './helpers/source-recorder';
import { readUrlState } from '../../src/ui/url-state';


/** Waits on a condition; long enough for a reconnect's backoff on a busy machine. */
const poll = <T>(f: () => T) => expect.poll(f, { timeout: 20_000 });
/**
 * Issue 19: a row can follow one hashtag instead of the firehose. Posts with and without the tag
 * are published; only tagged ones reach the collector, over SSE, WebSocket and REST, also the ones
 * a dropped stream missed and the backfill fetched.
 */
describe('channels', () => {
  it('reads and writes the shared form of each channel, and refuses what is no hashtag', () => {
    for (const s of ['public', 'public/local', 'public/remote', '#rust', '#Rust/local', '#日本語', '#a_b']) {
      expect(formatChannel(parseChannel(s)!)).toBe(s);
    }
    expect(parseChannel('rust')).toEqual({ kind: 'hashtag', tag: 'rust', local: false });
    for (const bad of ['#', '#a b', '#a/b', '#a#b', '', '#<script>', 'x'.repeat(101)]) expect(parseChannel(bad)).toBeNull();
    expect(hashtagChannel(' #FediVerse ', true)).toBe('#FediVerse/local');
    expect(hashtagChannel('no tags', false)).toBeNull();
  });

  it('carries each instance\'s channel in ?instances= by the paths Mastodon\'s web pages use', () => {
    const u = readUrlState('?instances=a.example/tags/Rust,https://b.example/public/local,c.example,d.example/tags/rust/local,e.example/tags/no%20tag,f.example/about');
    expect(u.instances).toEqual(['a.example/tags/Rust', 'https://b.example/public/local', 'c.example', 'd.example/tags/rust/local', 'e.example/tags/no tag', 'f.example/about']);
    expect([...u.channels]).toEqual([
      ['a.example/tags/Rust', '#Rust'],
      ['https://b.example/public/local', 'public/local'],
      ['d.example/tags/rust/local', '#rust/local'],
    ]);
  });

  let fake: FakeMastodon | null = null;
  let source: Source | null = null;
  afterEach(async () => {
    source?.stop();
    await fake?.close();
  });

  type Make = (f: FakeMastodon, channel: StreamChannel, lastId: () => string | null, cb: SourceCallbacks) => Source;
  const readers: Array<[string, Make]> = [
    ['SSE', (f, channel, lastId, cb) => new SseSource({ baseUrl: f.webUrl, streamingBase: f.streamingUrl, channel, token: 'tok', lastId, reconcileMs: 0 }, cb)],
    ['WebSocket', (f, channel, lastId, cb) => new WsSource({ baseUrl: f.webUrl, streamingBase: f.streamingUrl, channel, token: 'tok', lastId, reconcileMs: 0, webSocket: WebSocket as unknown as WebSocketCtor }, cb)],
  ];
  const tagged = (f: FakeMastodon, tag: string, local?: boolean) =>
    f.publish({ tags: [{ name: tag, url: `https://${f.domain}/tags/${tag}` }] } as Partial<MastodonStatus>, local === undefined ? {} : { local });
  const untagged = (f: FakeMastodon) => f.publish({ tags: [] } as Partial<MastodonStatus>);

  function run(f: FakeMastodon, make: Make, channel: StreamChannel) {
    const { events, states, lastId, callbacks } = recordSource();
    source = make(f, channel, lastId, callbacks);
    source.start();
    const ids = () => events.flatMap((e) => (e.kind === 'update' ? [e.status.id] : []));
    return { ids, states };
  }

  for (const [name, make] of readers) {
    it(`${name}: a #hashtag channel hands on only tagged posts, streamed and backfilled`, async () => {
      fake = await startFakeMastodon({ tokens: ['tok'], cacheSeconds: 0, seed: 41 });
      const before = [tagged(fake, 'Rust'), untagged(fake)];
      const { ids, states } = run(fake, make, '#rust');
      await poll(() => states.at(-1)?.state).toBe('streaming');
      // The cold start's newest page: the tagged post from before, not the other.
      const want = [before[0]!, tagged(fake, 'rust'), tagged(fake, 'RUST')];
      untagged(fake);
      tagged(fake, 'rusty');
      await poll(() => ids().length).toBe(3);
      fake.dropStreams();
      untagged(fake);
      want.push(tagged(fake, 'rust'));
      await poll(() => states.filter((s) => s.state === 'streaming').length).toBe(2); // after the backoff
      const marker = tagged(fake, 'rust');
      untagged(fake);
      want.push(marker);
      await poll(() => ids()).toContain(marker.id);
      expect(ids()).toEqual(want.map((s) => s.id));
    });
  }

  it('WebSocket: a #hashtag/local channel hands on only local tagged posts', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], cacheSeconds: 0, seed: 42 });
    tagged(fake, 'rust', false);
    const { ids, states } = run(fake, readers[1]![1], '#rust/local');
    await poll(() => states.at(-1)?.state).toBe('streaming');
    tagged(fake, 'rust', false);
    const local = tagged(fake, 'rust', true);
    untagged(fake);
    const marker = tagged(fake, 'rust', true);
    await poll(() => ids()).toContain(marker.id);
    expect(ids()).toEqual([local.id, marker.id]);
  });

  it('REST: a polled #hashtag channel reads the tag timeline', async () => {
    fake = await startFakeMastodon({ cacheSeconds: 0, seed: 43 });
    const want = [tagged(fake, 'rust'), tagged(fake, 'rust')];
    untagged(fake);
    const { ids } = run(fake, (f, channel, lastId, cb) => new RestPoller({ baseUrl: f.webUrl, channel, token: null, lastId }, cb), '#rust');
    await poll(() => ids().length).toBe(2);
    expect(ids()).toEqual(want.map((s) => s.id));
    expect(fake.stats.requests['/api/v1/timelines/tag/rust']).toBeGreaterThanOrEqual(1);
  });
});

describe('feed keys', () => {
  it('read back as the instance and the feed they were made of', () => {
    for (const [baseUrl, channel] of [['https://a.example', 'public'], ['http://127.0.0.1:8080', '#rust/local'], ['https://b.example', 'public/remote']] as const) {
      expect(parseFeedKey(feedKey(baseUrl, channel))).toEqual({ baseUrl, channel });
    }
    // The public timeline keeps the instance's own key, as positions stored before feeds were several.
    expect(feedKey('https://a.example', 'public')).toBe('https://a.example');
  });
});
