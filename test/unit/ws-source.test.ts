import { createServer, type Server } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMastodon, type FakeMastodon } from '../fake-mastodon';
import { WsSource, type WebSocketCtor } from '../../src/sources/ws-source';
import type { SourceEvent, SourceState } from '../../src/sources/source';
import type { StreamChannel } from '../../src/core/mastodon';
import { maxId } from '../../src/core/status-id';

/** The WebSocket reader against the fake's WebSocket side, with the `ws` package as the browser's WebSocket. */
describe('WsSource', () => {
  let fake: FakeMastodon | null = null;
  let source: WsSource | null = null;
  afterEach(async () => {
    source?.stop();
    await fake?.close();
  });

  function start(f: FakeMastodon, o: { token?: string; channel?: StreamChannel; watchdogMs?: number } = {}) {
    const events: SourceEvent[] = [];
    const states: SourceState[] = [];
    const warnings: string[] = [];
    let last: string | null = null;
    source = new WsSource(
      {
        baseUrl: f.webUrl,
        streamingBase: f.streamingUrl,
        channel: o.channel ?? 'public',
        token: o.token ?? 'tok',
        lastId: () => last,
        reconcileMs: 0,
        ...(o.watchdogMs ? { watchdogMs: o.watchdogMs } : {}),
        webSocket: WebSocket as unknown as WebSocketCtor,
      },
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
    return { events, states, warnings };
  }

  const updates = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'update' ? [e.status] : []));

  it('subscribes with the token in Sec-WebSocket-Protocol and hands on updates, edits and deletes', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 5 });
    const { events, states } = start(fake);
    await expect.poll(() => states.at(-1)?.state).toBe('streaming');
    expect(fake.stats.webSocketTokenVia).toEqual(['protocol']);
    const a = fake.publish();
    const b = fake.publish();
    await expect.poll(() => updates(events).length).toBe(2);
    const edited = fake.edit(a.id, { content: '<p>edited</p>' });
    fake.deleteStatus(b.id);
    await expect.poll(() => events.length).toBe(4);
    expect(events[2]).toMatchObject({ kind: 'update', via: 'stream', status: { id: a.id, content: '<p>edited</p>', edited_at: edited.edited_at } });
    expect(events[3]).toEqual({ kind: 'delete', id: b.id });
    expect(updates(events).slice(0, 2).map((s) => s.id)).toEqual([a.id, b.id]);
  });

  it('on public:local gets only local statuses', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 6 });
    const { events, states } = start(fake, { channel: 'public/local' });
    await expect.poll(() => states.at(-1)?.state).toBe('streaming');
    fake.publish({}, { local: false });
    const local = fake.publish({}, { local: true });
    await expect.poll(() => updates(events).length).toBe(1);
    const marker = fake.publish({}, { local: true });
    await expect.poll(() => updates(events).length).toBe(2);
    expect(updates(events).map((s) => s.id)).toEqual([local.id, marker.id]);
  });

  it('after a dropped socket reconnects and backfills what it missed: nothing lost', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 7, cacheSeconds: 0 });
    const { events, states } = start(fake);
    await expect.poll(() => states.at(-1)?.state).toBe('streaming');
    const before = [fake.publish(), fake.publish()];
    await expect.poll(() => updates(events).length).toBe(2);
    expect(fake.dropStreams()).toBe(1);
    const missed = [fake.publish(), fake.publish(), fake.publish()];
    await expect.poll(() => fake!.stats.webSocketsOpened, { timeout: 15_000 }).toBe(2);
    await expect.poll(() => updates(events).length, { timeout: 15_000 }).toBe(5);
    expect(updates(events).map((s) => s.id)).toEqual([...before, ...missed].map((s) => s.id));
    expect(events.slice(2, 5).every((e) => e.kind === 'update' && e.via === 'backfill')).toBe(true);
    // A post published while the backfill still pages may come both ways, as over SSE: the
    // collector keeps one per uri. What matters here: it comes.
    const after = fake.publish();
    await expect.poll(() => new Set(updates(events).map((s) => s.id)).size).toBe(6);
    expect([...new Set(updates(events).map((s) => s.id))]).toEqual([...before, ...missed, after].map((s) => s.id));
    expect(states.some((s) => s.state === 'reconnecting' && /WebSocket closed/.test(s.reason))).toBe(true);
  });

  it('a silent socket is declared dead by the watchdog and replaced', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 8, cacheSeconds: 0 });
    const { events, states } = start(fake, { watchdogMs: 700 });
    await expect.poll(() => states.at(-1)?.state).toBe('streaming');
    fake.setFault({ stallStreams: true });
    const missed = fake.publish();
    await expect.poll(() => states.some((s) => s.state === 'reconnecting' && /no data for 1 s/.test(s.reason))).toBe(true);
    fake.setFault({ stallStreams: false });
    await expect.poll(() => updates(events).map((s) => s.id), { timeout: 15_000 }).toEqual([missed.id]);
  });

  it('a bad token stops on needs-sign-in, without retrying', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 9 });
    const { states } = start(fake, { token: 'not-a-token' });
    await expect.poll(() => states.at(-1)?.state).toBe('needs-sign-in');
    expect(states.at(-1)).toMatchObject({ reason: expect.stringMatching(/^401: The access token is invalid/) });
    expect(fake.stats.webSocketsRefused).toBe(1);
    expect(states.some((s) => s.state === 'reconnecting')).toBe(false);
  });

  it('skips a frame that is not JSON with a warning and loses nothing around it', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 10 });
    const { events, states, warnings } = start(fake);
    await expect.poll(() => states.at(-1)?.state).toBe('streaming');
    const a = fake.publish();
    fake.sendRawFrame('{"stream":["public"],"event":"upd');
    fake.sendRawFrame('{"stream":["public"],"event":"update","payload":"{not json"}');
    const b = fake.publish();
    await expect.poll(() => updates(events).length).toBe(2);
    expect(updates(events).map((s) => s.id)).toEqual([a.id, b.id]);
    expect(warnings).toEqual([
      expect.stringMatching(/^a WebSocket message that is not JSON skipped: \{"stream"/),
      expect.stringMatching(/^malformed update event skipped \(not JSON\)/),
    ]);
    expect(states.at(-1)?.state).toBe('streaming');
  });

  it('a socket that never opens (the host takes the connection, says nothing) is retried, not waited on forever', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 12 });
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const states: SourceState[] = [];
      source = new WsSource(
        { baseUrl: fake.webUrl, streamingBase: `http://127.0.0.1:${port}`, channel: 'public', token: 'tok', lastId: () => null, reconcileMs: 0, watchdogMs: 800, webSocket: WebSocket as unknown as WebSocketCtor },
        { onEvent: () => undefined, onState: (s) => states.push(s), onWarning: () => undefined },
      );
      source.start();
      await expect.poll(() => states.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: 'the WebSocket to 127.0.0.1:' + port + ' did not open in 1 s' });
    } finally {
      source?.stop();
      silent.close();
    }
  });

  it('a refused subscription stops the row with the server reason', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'], seed: 11 });
    const { states } = start(fake);
    await expect.poll(() => states.at(-1)?.state).toBe('streaming');
    fake.sendRawFrame(JSON.stringify({ error: 'Unknown stream type', status: 400 }));
    await expect.poll(() => states.at(-1)).toEqual({ state: 'error', reason: 'the server refused the public stream: Unknown stream type' });
  });
});

describe('fake WebSocket streaming, as streaming/index.js', () => {
  let fake: FakeMastodon | null = null;
  afterEach(async () => {
    await fake?.close();
  });

  const wsUrl = (f: FakeMastodon) => `${f.streamingUrl.replace('http:', 'ws:')}/api/v1/streaming`;

  it('refuses the upgrade with a bare 401 and X-Error-Message', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'] });
    const ws = new WebSocket(wsUrl(fake), 'bad');
    const res = await new Promise<{ status: number; message: string }>((resolve) =>
      ws.on('unexpected-response', (_req, r) => resolve({ status: r.statusCode ?? 0, message: String(r.headers['x-error-message']) })),
    );
    ws.on('error', () => undefined);
    expect(res).toEqual({ status: 401, message: 'Invalid access token' });
  });

  it('answers an unknown stream or a hashtag without tag with an error message, ignores non-JSON, frames events', async () => {
    fake = await startFakeMastodon({ tokens: ['tok'] });
    const ws = new WebSocket(wsUrl(fake), 'tok');
    const got: string[] = [];
    ws.on('message', (d) => got.push(String(d)));
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('tok');
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'subscribe', stream: 'everything' }));
    ws.send(JSON.stringify({ type: 'subscribe', stream: 'hashtag' }));
    ws.send(JSON.stringify({ type: 'subscribe', stream: 'hashtag', tag: 'Cats' }));
    ws.send(JSON.stringify({ type: 'subscribe', stream: 'public' }));
    await expect.poll(() => got.length).toBe(2);
    const s = fake.publish({ tags: [{ name: 'cats', url: 'https://alpha.test/tags/cats' }] });
    await expect.poll(() => got.length).toBe(4);
    ws.close();
    expect(got.slice(0, 2).map((m) => JSON.parse(m))).toEqual([
      { error: 'Unknown stream type', status: 400 },
      { error: 'Missing tag name parameter', status: 400 },
    ]);
    const frames = got.slice(2).map((m) => JSON.parse(m) as { stream: string[]; event: string; payload: string });
    expect(frames.map((f) => f.stream)).toEqual([['hashtag', 'Cats'], ['public']]);
    expect(frames.every((f) => f.event === 'update' && typeof f.payload === 'string' && (JSON.parse(f.payload) as { id: string }).id === s.id)).toBe(true);
  });
});
