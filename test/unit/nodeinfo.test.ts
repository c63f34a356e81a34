import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { discoverInstance } from '../../src/sources/discovery';
import { detectSoftware, isMisskeyFamily, softwareFromInstanceVersion, softwareLabel, streamsOnlyOverWebSocket } from '../../src/sources/nodeinfo';
import { startFakeMisskey } from '../fake-mastodon/misskey';
import { fake, track } from './helpers/fake-server';

/** A loopback server answering from `route` (path → [status, body, headers]); counts requests. */
async function tiny(route: (path: string, base: string) => [number, string, Record<string, string>?] | undefined) {
  const requests: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    const r = route(path, `http://${req.headers.host}`) ?? [404, '{"error":"Not found"}'];
    res.writeHead(r[0], { 'Content-Type': 'application/json', ...(r[2] ?? {}) });
    res.end(r[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return track({
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}

describe('NodeInfo detection', () => {
  it('reads Mastodon from the fake as the real server serves it: index with CORS, 2.0 document without', async () => {
    const f = await fake();
    const index = await fetch(`${f.webUrl}/.well-known/nodeinfo`);
    expect(index.headers.get('access-control-allow-origin')).toBe('*');
    const { links } = (await index.json()) as { links: Array<{ rel: string; href: string }> };
    expect(links).toEqual([{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${f.webUrl}/nodeinfo/2.0` }]);
    const doc = await fetch(links[0]!.href);
    expect(doc.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await doc.json()) as { usage: { users: { activeMonth: number } } }).usage.users.activeMonth).toBeGreaterThan(0);

    const info = await discoverInstance(f.webUrl);
    expect(info.software).toEqual({ name: 'mastodon', version: '4.6.6' });
    expect(softwareLabel(info.software!)).toBe('Mastodon 4.6.6');
    expect(f.stats.requests['/nodeinfo/2.0']).toBe(2); // the test's read, then discovery's
  });

  it('names an Akkoma server by NodeInfo and marks it WebSocket-only', async () => {
    const f = await fake({ software: { name: 'akkoma', version: '3.15.1' }, instanceVersion: '2.7.2 (compatible; Akkoma 3.15.1)' });
    const info = await discoverInstance(f.webUrl);
    expect(softwareLabel(info.software!)).toBe('Akkoma 3.15.1');
    expect(streamsOnlyOverWebSocket(info.software)).toBe(true);
    expect(streamsOnlyOverWebSocket({ name: 'mastodon', version: '4.6.6' })).toBe(false);
  });

  it('takes a Misskey server for what it is, from NodeInfo alone: its own socket on the instance itself', async () => {
    const m = track(await startFakeMisskey({ version: '2025.4.0' }));
    const info = await discoverInstance(m.url);
    expect(info).toMatchObject({ baseUrl: m.url, streamingBase: m.url, software: { name: 'misskey', version: '2025.4.0' } });
    expect(isMisskeyFamily(info.software)).toBe(true);
    expect(softwareLabel(info.software!)).toBe('Misskey 2025.4.0');
    // The highest schema it links (2.1) is the one read; Mastodon's v1 API is not asked.
    expect(m.requests['/nodeinfo/2.1']).toBe(1);
    expect(m.requests['/nodeinfo/2.0']).toBeUndefined();
    expect(m.requests['/api/v1/instance']).toBeUndefined();
  });

  it('a server without NodeInfo is discovered as before, named from its instance version', async () => {
    const f = await fake({ software: null });
    expect((await fetch(`${f.webUrl}/.well-known/nodeinfo`)).status).toBe(404);
    const info = await discoverInstance(f.webUrl);
    expect(info.streamingBase).toBe(f.streamingUrl);
    expect(info.software).toEqual({ name: 'mastodon', version: '4.6.6' });
    expect(softwareFromInstanceVersion('2.7.2 (compatible; Pleroma 2.9.1)')).toEqual({ name: 'pleroma', version: '2.9.1' });
  });

  it('reads nothing from another origin: a link or a redirect elsewhere gives no software', async () => {
    const elsewhere = await tiny(() => [200, JSON.stringify({ software: { name: 'misskey', version: '1' } }), { 'Access-Control-Allow-Origin': '*' }]);
    const linking = await tiny((path) =>
      path === '/.well-known/nodeinfo' ? [200, JSON.stringify({ links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${elsewhere.url}/nodeinfo/2.1` }] })] : undefined,
    );
    expect(await detectSoftware(linking.url)).toBeNull();
    expect(elsewhere.requests['/nodeinfo/2.1']).toBeUndefined();

    const redirecting = await tiny((path) => (path === '/.well-known/nodeinfo' ? [302, '', { Location: `${elsewhere.url}/.well-known/nodeinfo` }] : undefined));
    expect(await detectSoftware(redirecting.url)).toBeNull();
  });

  it('cuts off an oversized document and ignores a malformed one', async () => {
    const huge = await tiny((path, base) =>
      path === '/.well-known/nodeinfo'
        ? [200, JSON.stringify({ links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${base}/nodeinfo/2.0` }] })]
        : path === '/nodeinfo/2.0'
          ? [200, JSON.stringify({ software: { name: 'mastodon', version: '4' }, pad: 'x'.repeat(1024 * 1024) })]
          : undefined,
    );
    expect(await detectSoftware(huge.url)).toBeNull();
    const garbled = await tiny((path) => (path === '/.well-known/nodeinfo' ? [200, '<html>not json'] : undefined));
    expect(await detectSoftware(garbled.url)).toBeNull();
  });
});
