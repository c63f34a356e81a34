import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMisskey, type FakeMisskey, type FakeMisskeyOptions } from '../fake-mastodon/misskey';
import { MisskeySource } from '../../src/sources/misskey-source';
import type { WebSocketCtor } from '../../src/sources/ws-source';
import type { SourceEvent } from '../../src/sources/source';
import type { StreamChannel } from '../../src/core/mastodon';
import { recordSource } from './helpers/source-recorder';
import { Intake } from '../../src/store/intake';
import type { Ingest } from '../../src/store/ingest';
import { normalizeStatus } from '../../src/core/normalize';

const poll = <T>(f: () => T) => expect.poll(f, { timeout: 20_000 });

/**
 * Issue 19: MisskeySource against the fake Misskey (test/fake-mastodon/misskey.ts, built from
 * Misskey's source): anonymous where visitors may read, the token only where Misskey takes it,
 * backfill after a dropped socket, and what a disabled timeline or a refused token says.
 */
describe('MisskeySource', () => {
  let fake: FakeMisskey | null = null;
  let source: MisskeySource | null = null;
  afterEach(async () => {
    source?.stop();
    await fake?.close();
  });

  async function start(o: FakeMisskeyOptions & { token?: string; channel?: StreamChannel } = {}) {
    fake = await startFakeMisskey(o);
    const { events, states, lastId, callbacks } = recordSource();
    source = new MisskeySource({ baseUrl: fake.url, channel: o.channel ?? 'public', token: o.token ?? '', lastId, webSocket: WebSocket as unknown as WebSocketCtor }, callbacks);
    source.start();
    return { f: fake, events, states };
  }
  const ids = (events: SourceEvent[]) => events.flatMap((e) => (e.kind === 'update' ? [e.status.id] : []));

  it('reads the global timeline anonymously, skips a bad note with its reason, and backfills what a dropped socket missed', async () => {
    fake = null;
    const { f, events, states } = await start();
    const before = [f.publish(), f.publish()];
    void before;
    await poll(() => states.at(-1)?.state).toBe('streaming');
    expect(f.stats.tokenVia).toEqual(['none']);
    expect(f.stats.socketUrls).toEqual(['/streaming']);
    expect(f.stats.connects).toEqual(['globalTimeline']);
    const live = f.publish();
    f.publishRaw({ id: 'b0b0b0b0b0', createdAt: new Date().toISOString(), text: 'no user' });
    f.publish({ text: null, renoteId: String(live.id) }); // a boost: no post
    const after = f.publish();
    await poll(() => ids(events)).toContain(after.id);
    expect(events.find((e) => e.kind === 'skipped')).toMatchObject({ reason: expect.stringMatching(/^note user: /) });

    f.dropSockets();
    const missed = [f.publish(), f.publish(), f.publish()];
    await poll(() => f.stats.socketsOpened).toBe(2);
    await poll(() => states.at(-1)?.state).toBe('streaming');
    const marker = f.publish();
    await poll(() => ids(events)).toContain(marker.id);
    const got = ids(events);
    expect(new Set(got).size).toBe(got.length);
    expect(new Set(got)).toEqual(new Set(f.groundTruth().map((n) => String(n.id))));
    expect(missed.every((n) => got.includes(String(n.id)))).toBe(true);
  });

  it('a bad note that every backfill brings again is counted once', async () => {
    fake = await startFakeMisskey();
    const f = fake;
    const skipped: string[] = [];
    // Intake as the page has it, over an ingest that only normalises (no storage needed here).
    const ingest = { addStatus: (s: unknown, base: string, via: 'stream') => normalizeStatus(s, base, via, Date.now()), addDelete: () => undefined } as unknown as Ingest;
    const intake = new Intake(ingest, { onStored: () => undefined, onSkipped: (_b, reason) => skipped.push(reason) });
    const { states, callbacks } = recordSource();
    const events: SourceEvent[] = [];
    // No note is ever stored here, so every backfill walks from the start and meets the bad one again.
    source = new MisskeySource({ baseUrl: f.url, channel: 'public', token: '', lastId: () => null, webSocket: WebSocket as unknown as WebSocketCtor }, {
      ...callbacks,
      onEvent: (e) => {
        events.push(e);
        intake.accept(f.url, e);
      },
    });
    f.publishRaw({ id: 'b0b0b0b0b0', createdAt: new Date().toISOString(), text: 'no user' });
    source.start();
    await poll(() => states.at(-1)?.state).toBe('streaming');
    f.dropSockets();
    await poll(() => f.stats.socketsOpened).toBe(2);
    await poll(() => events.filter((e) => e.kind === 'skipped').length).toBe(2);
    expect(skipped).toEqual([expect.stringMatching(/^note user: /)]);
  });

  it('says a timeline closed to visitors needs sign-in, and streams with a token carried as ?i=, as Misskey reads it', async () => {
    const closed = await start({ policies: { gtlAvailable: false } });
    await poll(() => closed.states.at(-1)).toEqual({ state: 'needs-sign-in', reason: expect.stringMatching(/global timeline to visitors \(GTL_DISABLED\)/) });
    source!.stop();
    await fake!.close();

    const signedIn = await start({ policies: { gtlAvailable: false }, tokens: ['good-token'], token: 'good-token' });
    signedIn.f.publish();
    await poll(() => signedIn.states.at(-1)?.state).toBe('streaming');
    expect(signedIn.f.stats.tokenVia).toEqual(['query']);
    const n = signedIn.f.publish();
    await poll(() => ids(signedIn.events)).toContain(n.id);
  });

  it('a refused token ends in needs-sign-in with the server reason, and the reason never holds the token', async () => {
    const { f, states } = await start({ tokens: ['good-token'], token: 'bad-token-123' });
    await poll(() => states.at(-1)?.state).toBe('needs-sign-in');
    expect(f.stats.refusedUpgrades).toBe(1);
    const last = states.at(-1) as { reason: string };
    expect(last.reason).toMatch(/401: Authentication failed.*AUTHENTICATION_FAILED/);
    expect(JSON.stringify(states)).not.toContain('bad-token-123');
  });

  it('the local feed has only local notes, the remote feed only others, a local hashtag only local notes with the tag', async () => {
    const local = await start({ channel: 'public/local' });
    await poll(() => local.states.at(-1)?.state).toBe('streaming');
    const mine = local.f.publish();
    local.f.publish({ user: { id: 'r1', username: 'carol', name: null, host: 'remote.example' }, uri: 'https://remote.example/notes/1' });
    const mine2 = local.f.publish();
    await poll(() => ids(local.events)).toContain(mine2.id);
    expect(ids(local.events)).toEqual([mine.id, mine2.id]);
    expect(local.f.stats.connects).toEqual(['localTimeline']);
    source!.stop();
    await fake!.close();

    const remote = await start({ channel: 'public/remote' });
    await poll(() => remote.states.at(-1)?.state).toBe('streaming');
    remote.f.publish();
    const theirs = remote.f.publish({ user: { id: 'r1', username: 'carol', name: null, host: 'remote.example' }, uri: 'https://remote.example/notes/2' });
    await poll(() => ids(remote.events)).toContain(theirs.id);
    expect(ids(remote.events)).toEqual([theirs.id]);
    source!.stop();
    await fake!.close();

    const tag = await start({ channel: '#Rust/local' });
    await poll(() => tag.states.at(-1)?.state).toBe('streaming');
    expect(tag.f.stats.connects).toEqual(['hashtag']);
    tag.f.publish({ tags: ['other'] });
    tag.f.publish({ tags: ['rust'], user: { id: 'r1', username: 'carol', name: null, host: 'remote.example' }, uri: 'https://remote.example/notes/3' });
    const rust = tag.f.publish({ tags: ['rust'], text: 'a #rust note' });
    await poll(() => ids(tag.events)).toContain(rust.id);
    expect(ids(tag.events)).toEqual([rust.id]);
    // Published while the socket is down: only `notes/search-by-tag` can bring it.
    tag.f.dropSockets();
    const missed = tag.f.publish({ tags: ['RUST'] });
    await poll(() => ids(tag.events)).toContain(missed.id);
    expect(tag.f.requests['/api/notes/search-by-tag']).toBeGreaterThanOrEqual(2);
    expect(ids(tag.events)).toEqual([rust.id, missed.id]);
  });
});
