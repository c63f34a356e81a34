import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MastodonStatus } from '../../src/core/mastodon';
import { startNotMastodon } from '../fake-mastodon/not-mastodon';
import { sleep, until } from '../fake-mastodon/sse-client';
import { FIXTURES } from './helpers/fixtures';
import { TOKEN, fake, openStream, track } from './helpers/fake-server';

const ids = (list: MastodonStatus[]) => list.map((s) => s.id);

describe('discovery', () => {
  it('v2 instance points to the separate streaming host and tells live-feed access', async () => {
    const f = await fake({ liveFeeds: { local: 'public', remote: 'authenticated' } });
    const res = await fetch(`${f.webUrl}/api/v2/instance`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-ratelimit-limit')).toBe('300');
    const body = (await res.json()) as any;
    expect(body.domain).toBe('alpha.test');
    expect(body.version).toBe('4.6.6');
    expect(body.configuration.urls.streaming).toBe(f.streamingUrl.replace('http://', 'ws://'));
    expect(f.streamingUrl).not.toBe(f.webUrl);
    expect(body.configuration.timelines_access.live_feeds).toEqual({ local: 'public', remote: 'authenticated' });
    const health = await fetch(`${f.streamingUrl}/api/v1/streaming/health`);
    expect(await health.text()).toBe('OK');
  });

  it('v1-only servers answer 404 on v2 and give urls.streaming_api on v1', async () => {
    const f = await fake({ instanceApi: 'v1-only' });
    const v2 = await fetch(`${f.webUrl}/api/v2/instance`);
    expect(v2.status).toBe(404);
    expect(v2.headers.get('access-control-allow-origin')).toBe('*');
    expect(await v2.json()).toEqual({ error: 'Record not found' });
    const v1 = (await (await fetch(`${f.webUrl}/api/v1/instance`)).json()) as any;
    expect(v1.uri).toBe('alpha.test');
    expect(v1.urls.streaming_api).toBe(f.streamingUrl.replace('http://', 'ws://'));
  });

  it('a host that is not Mastodon answers HTML everywhere', async () => {
    const other = track(await startNotMastodon());
    const res = await fetch(`${other.url}/api/v2/instance`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<html');
  });
});

describe('streaming', () => {
  it('answers with the real headers and framing, then delivers updates, edits and deletes', async () => {
    const f = await fake();
    const s = await openStream(`${f.streamingUrl}/api/v1/streaming/public`);
    expect(s.res.status).toBe(200);
    await until(() => s.raw.length >= 3, 'first bytes');
    expect(s.raw.startsWith(':)\n')).toBe(true);
    const a = f.publish();
    const edited = f.edit(a.id);
    f.deleteStatus(a.id);
    await until(() => s.events.length === 3, 'three events');
    expect(s.events.map((e) => e.event)).toEqual(['update', 'status.update', 'delete']);
    const update = JSON.parse(s.events[0]!.data) as MastodonStatus;
    expect(update.id).toBe(a.id);
    expect(update.filtered).toEqual([]); // the streaming server appends it, as in the capture
    expect((JSON.parse(s.events[1]!.data) as MastodonStatus).edited_at).toBe(edited.edited_at);
    expect(s.events[2]!.data).toBe(a.id); // the bare id, not JSON
    expect(s.raw).not.toMatch(/^(id|retry):/m);
    expect(f.groundTruth()).toEqual({ published: [], deleted: [a.id] });
    s.close();
  });

  it('publishes prepared statuses as generated ones: streamed, on the timeline, ids ascending', async () => {
    const f = await fake();
    const s = await openStream(`${f.streamingUrl}/api/v1/streaming/public`);
    await until(() => s.raw.length >= 3, 'first bytes');
    f.prepare(300);
    const sent = Array.from({ length: 300 }, () => f.publish());
    const extra = f.publish({ spoiler_text: 'after' });
    await until(() => s.events.length === 301, 'all events');
    const streamed = s.events.map((e) => JSON.parse(e.data) as MastodonStatus);
    expect(streamed.map((x) => x.uri)).toEqual([...sent, extra].map((x) => x.uri));
    expect(new Set(sent.map((x) => x.uri)).size).toBe(300);
    const order = [...sent, extra].map((x) => BigInt(x.id));
    expect(order.every((id, i) => i === 0 || id > order[i - 1]!)).toBe(true);
    expect(f.groundTruth().published.map((x) => x.id).sort()).toEqual([...sent, extra].map((x) => x.id).sort());
    s.close();
  });

  it('sends the 200 headers of the real capture, in its order', async () => {
    const f = await fake();
    const capture = readFileSync(path.join(FIXTURES, 'sse-public-capture.headers'), 'utf8');
    const expected = capture.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(':')[0]!);
    const raw = await new Promise<string[]>((resolve, reject) => {
      const req = httpGet(`${f.streamingUrl}/api/v1/streaming/public`, { headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        resolve(res.rawHeaders);
        res.destroy();
      });
      req.on('error', reject);
    });
    const names = raw.filter((_, i) => i % 2 === 0);
    const value = (n: string) => raw[raw.indexOf(n) + 1];
    expect(names).toEqual(expected);
    expect(value('Content-Type')).toBe('text/event-stream');
    expect(value('Cache-Control')).toBe('private, no-store');
    expect(value('X-Powered-By')).toBe('Express');
    expect(value('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(value('Keep-Alive')).toBe('timeout=5');
  });

  it('filters local, remote and hashtag channels like Mastodon', async () => {
    const f = await fake();
    const base = `${f.streamingUrl}/api/v1/streaming`;
    const [pub, local, remote, tag, tagLocal, media] = await Promise.all([
      openStream(`${base}/public`),
      openStream(`${base}/public/local`),
      openStream(`${base}/public/remote`),
      openStream(`${base}/hashtag?tag=Caturday`),
      openStream(`${base}/hashtag/local?tag=caturday`),
      openStream(`${base}/public?only_media=true`),
    ]);
    const caturday = [{ name: 'caturday', url: 'https://alpha.test/tags/caturday' }];
    const l = f.publish({ tags: caturday, media_attachments: [] }, { local: true });
    const r = f.publish({ tags: caturday, media_attachments: [{ id: '1', type: 'image' }] }, { local: false });
    const plain = f.publish({ tags: [], media_attachments: [] }, { local: false });
    const expected = [[pub, 3], [local, 1], [remote, 2], [tag, 2], [tagLocal, 1], [media, 1]] as const;
    await until(() => expected.every(([s, n]) => s.events.length >= n), 'events on every channel');
    await sleep(20); // anything extra would have arrived by now
    const got = (s: typeof pub) => s.events.map((e) => (JSON.parse(e.data) as MastodonStatus).id);
    expect(got(pub)).toEqual([l.id, r.id, plain.id]);
    expect(got(local)).toEqual([l.id]);
    expect(got(remote)).toEqual([r.id, plain.id]);
    expect(got(tag)).toEqual([l.id, r.id]);
    expect(got(tagLocal)).toEqual([l.id]);
    expect(got(media)).toEqual([r.id]);
    for (const s of [pub, local, remote, tag, tagLocal, media]) s.close();
  });

  it('frames heartbeats as 4.6 does (own block)', async () => {
    const f = await fake({ heartbeatMs: 25 });
    const s = await openStream(`${f.streamingUrl}/api/v1/streaming/public`);
    await until(() => s.comments.filter((c) => c.trim() === 'thump').length >= 2, 'heartbeats');
    expect(s.raw).toContain(':thump\n\n');
    s.close();
  });

  it('frames heartbeats as 4.2 does (sharing a block with the next event)', async () => {
    const f = await fake({ heartbeatMs: 25, heartbeatStyle: '4.2' });
    const s = await openStream(`${f.streamingUrl}/api/v1/streaming/public`);
    await until(() => s.raw.includes(':thump\n'), 'a heartbeat');
    const a = f.publish();
    await until(() => s.events.length === 1, 'the event');
    expect(s.raw).toContain(':thump\nevent: update\n');
    expect(s.raw).not.toContain(':thump\n\n');
    expect(s.events[0]!.event).toBe('update');
    expect((JSON.parse(s.events[0]!.data) as MastodonStatus).id).toBe(a.id);
    s.close();
  });

  it('refuses like the real server: channel first, then token, then scope', async () => {
    const f = await fake({ appOnlyTokens: ['app'], wrongScopeTokens: ['write-only'] });
    const base = `${f.streamingUrl}/api/v1/streaming`;
    const call = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${path}`, { headers });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      return [res.status, await res.json()];
    };
    const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
    expect(await call('/nope')).toEqual([400, { error: 'Unknown channel requested' }]);
    expect(await call('/public')).toEqual([401, { error: 'Missing access token' }]);
    expect(await call('/public', bearer('bogus'))).toEqual([401, { error: 'Invalid access token' }]);
    // App-only tokens have no user; the server's token lookup joins users, so they look invalid.
    expect(await call('/public', bearer('app'))).toEqual([401, { error: 'Invalid access token' }]);
    expect(await call('/public', bearer('write-only'))).toEqual([401, { error: 'Access token does not have the required scopes' }]);
    expect(await call('/hashtag', bearer(TOKEN))).toEqual([400, { error: 'Missing tag name parameter' }]);
    const legacy = await openStream(`${base}/public?access_token=${TOKEN}`, {});
    expect(legacy.res.status).toBe(200);
    legacy.close();
    const pre = await fetch(`${base}/public`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization');
  });

  it('closes a revoked token’s streams, drops on request and passes raw bytes', async () => {
    const f = await fake({ tokens: [TOKEN, 'other'] });
    const url = `${f.streamingUrl}/api/v1/streaming/public`;
    const mine = await openStream(url);
    const theirs = await openStream(url, { Authorization: 'Bearer other' });
    await until(() => f.stats.openStreams === 2, 'two streams');
    f.sendRaw('event: update\ndata: {not json\n\n');
    await until(() => theirs.events.length === 1, 'the raw event');
    expect(theirs.events[0]!.data).toBe('{not json');
    f.revokeToken(TOKEN);
    await mine.done;
    expect(mine.ended).toBe(true);
    expect(theirs.ended).toBe(false);
    expect((await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
    f.dropStreams();
    await theirs.done;
    expect(f.stats.openStreams).toBe(0);
  });
});

describe('REST timeline', () => {
  it('walks forward with min_id and Link rel="prev", returning every status exactly once', async () => {
    const f = await fake({ cacheSeconds: 1 });
    for (let i = 0; i < 95; i++) f.publish();
    const seen: string[] = [];
    let next: string | null = `${f.webUrl}/api/v1/timelines/public?limit=40&min_id=0`;
    let pages = 0;
    while (next) {
      const res: Response = await fetch(next);
      expect(res.status).toBe(200);
      const page = (await res.json()) as MastodonStatus[];
      if (page.length === 0) {
        expect(res.headers.get('link')).toBeNull();
        break;
      }
      const sorted = [...ids(page)].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
      expect(ids(page)).toEqual(sorted); // newest first
      const link: string = res.headers.get('link')!;
      expect(link).toBe(
        `<${f.webUrl}/api/v1/timelines/public?limit=40&max_id=${page[page.length - 1]!.id}>; rel="next", ` +
          `<${f.webUrl}/api/v1/timelines/public?limit=40&min_id=${page[0]!.id}>; rel="prev"`,
      );
      seen.push(...ids(page).reverse());
      next = /<([^>]+)>; rel="prev"/.exec(link)![1]!;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids(f.groundTruth().published));
  });

  it('walks back with max_id, filters local, and defaults to 20', async () => {
    const f = await fake();
    for (let i = 0; i < 30; i++) f.publish({}, { local: i % 3 === 2 });
    const first = (await (await fetch(`${f.webUrl}/api/v1/timelines/public`)).json()) as MastodonStatus[];
    expect(first).toHaveLength(20);
    expect(first[0]!.id).toBe(f.groundTruth().published.at(-1)!.id);
    const res = await fetch(`${f.webUrl}/api/v1/timelines/public?local=true&max_id=${first[0]!.id}`);
    const local = (await res.json()) as MastodonStatus[];
    expect(local.length).toBe(9); // the newest (local) one is excluded by max_id
    expect(local.every((s) => !s.account.acct.includes('@') && s.application)).toBe(true);
    expect(res.headers.get('link')).toContain('?local=true&max_id=');
  });

  it('caches anonymous pages for cacheSeconds; a token bypasses the cache', async () => {
    const f = await fake({ cacheSeconds: 1 });
    f.publish();
    const url = `${f.webUrl}/api/v1/timelines/public?limit=5`;
    const r1 = await fetch(url);
    expect(r1.headers.get('cache-control')).toBe('max-age=1, public');
    const b1 = await r1.text();
    f.publish();
    expect(await (await fetch(url)).text()).toBe(b1);
    const authed = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(authed.headers.get('cache-control')).toBe('private, no-store');
    expect((JSON.parse(await authed.text()) as MastodonStatus[]).length).toBe(2);
    await sleep(1050);
    expect((JSON.parse(await (await fetch(url)).text()) as MastodonStatus[]).length).toBe(2);
    expect(f.stats.cacheHits).toBe(1);
  });

  it('rate-limits per IP with X-RateLimit headers and 429, separately per token', async () => {
    const f = await fake({ rateLimit: { limit: 5, windowMs: 60_000 } });
    for (let i = 1; i <= 5; i++) {
      const res = await fetch(`${f.webUrl}/api/v1/timelines/public?limit=${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('5');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(5 - i));
    }
    const over = await fetch(`${f.webUrl}/api/v1/timelines/public?limit=6`);
    expect(over.status).toBe(429);
    expect(await over.json()).toEqual({ error: 'Too many requests' });
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Date.parse(over.headers.get('x-ratelimit-reset')!);
    expect(reset).toBeGreaterThan(Date.now());
    expect(over.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(over.headers.get('access-control-allow-origin')).toBe('*');
    const withToken = await fetch(`${f.webUrl}/api/v1/timelines/public`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(f.stats.tooManyRequests).toBe(1);
  });

  it('applies live-feed access and token checks', async () => {
    const f = await fake({ liveFeeds: 'authenticated', appOnlyTokens: ['app'] });
    const url = `${f.webUrl}/api/v1/timelines/public?local=true`;
    const anon = await fetch(url);
    expect([anon.status, await anon.json()]).toEqual([422, { error: 'This method requires an authenticated user' }]);
    expect((await fetch(url, { headers: { Authorization: 'Bearer app' } })).status).toBe(422);
    expect((await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const bad = await fetch(url, { headers: { Authorization: 'Bearer nope' } });
    expect([bad.status, await bad.json()]).toEqual([401, { error: 'The access token is invalid' }]);

    const off = await fake({ liveFeeds: 'disabled' });
    off.publish();
    const offUrl = `${off.webUrl}/api/v1/timelines/public`;
    expect(await (await fetch(offUrl, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()).toEqual([]);
    expect((await fetch(offUrl)).status).toBe(422);
  });

  it('puts CORS headers on errors and answers preflights', async () => {
    const f = await fake();
    const missing = await fetch(`${f.webUrl}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Record not found' });
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await fetch(`${f.webUrl}/api/v1/timelines/public`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization, x-tootscope' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, x-tootscope');
    expect(pre.headers.get('access-control-allow-methods')).toContain('GET');
    expect(pre.headers.get('access-control-expose-headers')).toBe('Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id');
    expect(Number(pre.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });
});
