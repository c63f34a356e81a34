import { describe, expect, it } from 'vitest';
import { pkceChallenge } from '../fake-mastodon';
import { until } from '../fake-mastodon/sse-client';
import { TOKEN, fake, openStream } from './helpers/fake-server';

/** The fake Mastodon's sign-in flow and the control API the e2e suites drive it with. */
describe('OAuth with PKCE', () => {
  it('registers, authorizes, exchanges the code, streams with the token, then revokes it', async () => {
    const f = await fake({ tokens: [] });
    const redirect = 'http://app.test/callback';
    const reg = await fetch(`${f.webUrl}/api/v1/apps`, {
      method: 'POST',
      body: new URLSearchParams({ client_name: 'Tootscope', redirect_uris: redirect, scopes: 'read' }),
    });
    const app = (await reg.json()) as Record<string, string>;
    expect(Object.keys(app)).toEqual(expect.arrayContaining(['id', 'name', 'redirect_uri', 'client_id', 'client_secret', 'vapid_key']));
    const verifier = 'a-verifier-that-is-long-enough-for-pkce-0123456789';
    const auth = new URL(`${f.webUrl}/oauth/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: app.client_id!, redirect_uri: redirect, scope: 'read',
      code_challenge: pkceChallenge(verifier), code_challenge_method: 'S256', state: 'xyz',
    })) auth.searchParams.set(k, v);
    const authorized = await fetch(auth, { redirect: 'manual' });
    expect(authorized.status).toBe(302);
    const back = new URL(authorized.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('xyz');
    const code = back.searchParams.get('code')!;

    const exchange = (v: string) =>
      fetch(`${f.webUrl}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code', code, client_id: app.client_id!, client_secret: app.client_secret!,
          redirect_uri: redirect, code_verifier: v,
        }),
      });
    const wrong = await exchange('not-the-verifier');
    expect([wrong.status, ((await wrong.json()) as any).error]).toEqual([400, 'invalid_grant']);
    // A failed exchange burns the code, as Doorkeeper does; get a fresh one.
    const again = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location')!);
    const ok = await fetch(`${f.webUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code', code: again.searchParams.get('code'), client_id: app.client_id,
        client_secret: app.client_secret, redirect_uri: redirect, code_verifier: verifier,
      }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const token = (await ok.json()) as Record<string, unknown>;
    expect(token).toMatchObject({ token_type: 'Bearer', scope: 'read' });
    expect(typeof token.created_at).toBe('number');

    const url = `${f.streamingUrl}/api/v1/streaming/public`;
    const s = await openStream(url, { Authorization: `Bearer ${token.access_token}` });
    expect(s.res.status).toBe(200);
    const pre = await fetch(`${f.webUrl}/oauth/revoke`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect([pre.status, pre.headers.get('access-control-allow-methods')]).toEqual([204, 'POST']);
    const revoked = await fetch(`${f.webUrl}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: String(token.access_token), client_id: app.client_id!, client_secret: app.client_secret! }),
    });
    expect([revoked.status, await revoked.json()]).toEqual([200, {}]);
    await s.done;
    expect((await fetch(url, { headers: { Authorization: `Bearer ${token.access_token}` } })).status).toBe(401);
  });
});

describe('control API', () => {
  it('federates a post with publishFrom and keeps the ground truth current', async () => {
    const alpha = await fake();
    const beta = await fake({ domain: 'beta.test', seed: 2 });
    const original = alpha.publish({}, { local: true });
    const copy = beta.publishFrom(original);
    expect(copy.uri).toBe(original.uri);
    expect(copy.url).toBe(original.url);
    expect(copy.created_at).toBe(original.created_at);
    expect(copy.id).not.toBe(original.id);
    expect(copy.account.acct).toBe(`${original.account.username}@alpha.test`);
    expect('application' in copy).toBe(false);
    const edited = beta.edit(copy.id);
    const gone = beta.publish();
    beta.deleteStatus(gone.id);
    expect(beta.groundTruth()).toEqual({ published: [edited], deleted: [gone.id] });
    beta.setFault({ failNextTimelineRequests: { count: 1, status: 503 } });
    expect((await fetch(`${beta.webUrl}/api/v1/timelines/public`)).status).toBe(503);
    expect((await fetch(`${beta.webUrl}/api/v1/timelines/public`)).status).toBe(200);
    expect(beta.stats.requests['/api/v1/timelines/public']).toBe(2);
  });

  it('holds one status per uri, even for a burst from the same authors', async () => {
    const f = await fake({ users: 500 });
    const burst = [...Array(3000)].map(() => f.publish());
    expect(new Set(burst.map((s) => s.uri)).size).toBe(3000);
    expect(() => f.publishFrom(burst[0]!)).toThrow(/already holds/);
  });

  it('fails a later page with a 429 that carries the real headers, and says what it dropped and deleted', async () => {
    const f = await fake();
    for (let i = 0; i < 5; i++) f.publish();
    f.setFault({ failNextTimelineRequests: { count: 1, status: 429, after: 1, resetInMs: 2000 } });
    const first = await fetch(`${f.webUrl}/api/v1/timelines/public?limit=2`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(first.status).toBe(200);
    const t0 = Date.now();
    const over = await fetch(`${f.webUrl}/api/v1/timelines/public?limit=2&min_id=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const t1 = Date.now();
    expect(over.status).toBe(429);
    expect(await over.json()).toEqual({ error: 'Too many requests' });
    expect(over.headers.get('x-ratelimit-limit')).toBe('300');
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(over.headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const reset = Date.parse(over.headers.get('x-ratelimit-reset')!);
    // resetInMs after the moment the server answered, which lies between t0 and t1 (whatever
    // the machine's speed): no upper bound measured in wall time.
    expect(reset).toBeGreaterThanOrEqual(t0 + 2000);
    expect(reset).toBeLessThanOrEqual(t1 + 2000);
    expect(f.stats.faultsServed).toEqual([{ at: expect.any(Number), status: 429, url: '/api/v1/timelines/public?limit=2&min_id=1' }]);
    expect(f.stats.tooManyRequests).toBe(1);
    expect((await fetch(`${f.webUrl}/api/v1/timelines/public`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);

    // Without resetInMs, the reset is the end of the throttle window.
    f.setFault({ failNextTimelineRequests: { count: 1, status: 429 } });
    const windowEnd = await fetch(`${f.webUrl}/api/v1/timelines/public`);
    expect(Date.parse(windowEnd.headers.get('x-ratelimit-reset')!)).toBeGreaterThan(Date.now() + 60_000);

    const s = await openStream(`${f.streamingUrl}/api/v1/streaming/public`);
    await until(() => f.stats.openStreams === 1, 'one stream');
    const gone = f.publish();
    await until(() => s.events.length === 1, 'one event');
    expect(f.stats.streamEvents).toBe(1);
    f.deleteStatus(gone.id);
    expect(f.deletedStatuses().map((x) => x.uri)).toEqual([gone.uri]);
    expect(f.dropStreams()).toBe(1);
    expect(f.stats.openStreams).toBe(0);
    f.publish();
    expect(f.stats.streamEvents).toBe(2); // the delete; not the post published after the drop
    await s.done;
    expect(f.dropStreams()).toBe(0);
  });
});
