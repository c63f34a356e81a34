import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchangeCode, registerClient, revokeToken } from '../../src/sources/oauth';
import { TooLargeError } from '../../src/sources/http-guard';

/** A server that records every request with its body and answers with `answer`. */
async function server(answer: (path: string, res: import('node:http').ServerResponse) => void) {
  const seen: Array<{ path: string; body: string }> = [];
  const s: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body });
      answer(req.url ?? '', res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const client = { client_id: 'cid', client_secret: 'csecret', redirect_uri: 'http://page.test/' };

describe('sign-in requests (issue 14: tokens go only to their own server)', () => {
  it('refuses a redirect of the revocation, so the token never reaches the other origin', async () => {
    const other = await server((_p, res) => res.end('{}'));
    const instance = await server((p, res) => {
      res.writeHead(307, { Location: `${other.url}${p}` });
      res.end();
    });
    await expect(revokeToken(instance.url, client, 'secret-token')).rejects.toThrow();
    expect(instance.seen.map((r) => r.path)).toEqual(['/oauth/revoke']);
    expect(other.seen).toEqual([]);
  });

  it('refuses a redirect of the code exchange and of the app registration', async () => {
    const other = await server((_p, res) => res.end('{"access_token":"stolen","client_id":"x","client_secret":"y"}'));
    const instance = await server((p, res) => {
      res.writeHead(308, { Location: `${other.url}${p}` });
      res.end();
    });
    await expect(exchangeCode(instance.url, client, '?code=the-code&state=s', 's', 'the-verifier')).rejects.toThrow();
    await expect(registerClient(instance.url, 'http://page.test/')).rejects.toThrow();
    expect(other.seen).toEqual([]);
  });

  it('cuts off an endless answer and reads a plain error', async () => {
    const instance = await server((p, res) => {
      if (p === '/oauth/token') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"access_token":"${'x'.repeat(1024 * 1024)}"}`);
      } else {
        res.writeHead(422, { 'Content-Type': 'application/json' });
        res.end('{"error":"Validation failed: Redirect URI must be an absolute URI."}');
      }
    });
    await expect(exchangeCode(instance.url, client, '?code=c&state=s', 's', 'v')).rejects.toBeInstanceOf(TooLargeError);
    await expect(registerClient(instance.url, 'not a uri')).rejects.toThrow('422 Validation failed: Redirect URI must be an absolute URI.');
  });

  it('still signs in and out against an ordinary server', async () => {
    const instance = await server((p, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (p === '/api/v1/apps') res.end('{"client_id":"cid","client_secret":"csecret"}');
      else if (p === '/oauth/token') res.end('{"access_token":"tok","token_type":"Bearer"}');
      else res.end('{}');
    });
    expect(await registerClient(instance.url, 'http://page.test/')).toEqual(client);
    expect(await exchangeCode(instance.url, client, '?code=c&state=s', 's', 'v')).toBe('tok');
    await expect(revokeToken(instance.url, client, 'tok')).resolves.toBeUndefined();
    expect(instance.seen.find((r) => r.path === '/oauth/revoke')?.body).toContain('token=tok');
  });

  it('exchanges no code from an answer that is not this sign-in’s, or that another server signed', async () => {
    const instance = await server((_p, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"access_token":"tok","token_type":"Bearer"}');
    });
    // Another sign-in's state, an issuer that is not this instance, the person's refusal.
    await expect(exchangeCode(instance.url, client, '?code=c&state=someone-elses', 's', 'v')).rejects.toThrow(/state/);
    await expect(exchangeCode(instance.url, client, '?code=c&state=s&iss=https%3A%2F%2Fevil.example%2F', 's', 'v')).rejects.toThrow(/iss/);
    await expect(exchangeCode(instance.url, client, '?error=access_denied&error_description=The+resource+owner+denied+the+request.&state=s', 's', 'v'))
      .rejects.toThrow('The resource owner denied the request.');
    expect(instance.seen).toEqual([]);
    // The instance naming itself as it does (its root URL) is fine.
    expect(await exchangeCode(instance.url, client, `?code=c&state=s&iss=${encodeURIComponent(`${instance.url}/`)}`, 's', 'v')).toBe('tok');
  });
});
