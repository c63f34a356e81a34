/**
 * OAuth 2 as Mastodon (Doorkeeper) does it for a browser-only client: register an app, get a
 * code from /oauth/authorize (approved at once — there is no person to click), exchange it with
 * PKCE S256, revoke. Apps are confidential like Mastodon's, so the token and revoke endpoints
 * want the client_secret the app registration returned.
 */

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { param, readParams, sendJson, sendText, type Headers } from './http-util';
import { randomToken, type TokenRegistry } from './tokens';

interface AppRecord {
  id: string;
  name: string;
  website: string | null;
  redirectUris: string[];
  scopes: string[];
  clientId: string;
  clientSecret: string;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string | null;
  expiresAt: number;
}

const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description:
    'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
};
const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
};
const VAPID_KEY = 'BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=';

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Client credentials from HTTP Basic or the body, as Doorkeeper accepts both. */
function clientCredentials(req: IncomingMessage, params: Record<string, string | string[]>): { id?: string; secret?: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1] as string, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { id: param(params, 'client_id'), secret: param(params, 'client_secret') };
}

function scopesOf(value: string | undefined): string[] {
  return (value ?? '').split(/[\s+]+/).filter(Boolean);
}

export class OAuthProvider {
  private readonly apps = new Map<string, AppRecord>();
  private readonly codes = new Map<string, CodeRecord>();
  private nextAppId = 1;

  constructor(private readonly tokens: TokenRegistry) {}

  /** Handles the OAuth routes; returns false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, headers: Headers): Promise<boolean> {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /api/v1/apps') await this.createApp(req, res, headers);
    else if (route === 'GET /oauth/authorize') this.authorize(res, url, headers);
    else if (route === 'POST /oauth/token') await this.token(req, res, headers);
    else if (route === 'POST /oauth/revoke') await this.revoke(req, res, headers);
    else return false;
    return true;
  }

  private async createApp(req: IncomingMessage, res: ServerResponse, headers: Headers): Promise<void> {
    const p = await readParams(req);
    const name = param(p, 'client_name');
    const raw = p.redirect_uris;
    const redirectUris = (Array.isArray(raw) ? raw : (raw ?? '').split('\n')).map((u) => u.trim()).filter(Boolean);
    if (!name) return sendJson(res, 422, { error: "Validation failed: Application name can't be blank" }, headers);
    if (redirectUris.length === 0) return sendJson(res, 422, { error: "Validation failed: Redirect URI can't be blank" }, headers);
    const app: AppRecord = {
      id: String(this.nextAppId++),
      name,
      website: param(p, 'website') ?? null,
      redirectUris,
      scopes: scopesOf(param(p, 'scopes')).length ? scopesOf(param(p, 'scopes')) : ['read'],
      clientId: randomToken(),
      clientSecret: randomToken(),
    };
    this.apps.set(app.clientId, app);
    sendJson(
      res,
      200,
      {
        id: app.id,
        name: app.name,
        website: app.website,
        scopes: app.scopes,
        redirect_uri: app.redirectUris.join('\n'),
        redirect_uris: app.redirectUris,
        vapid_key: VAPID_KEY,
        client_id: app.clientId,
        client_secret: app.clientSecret,
        client_secret_expires_at: 0,
      },
      headers,
    );
  }

  private authorize(res: ServerResponse, url: URL, headers: Headers): void {
    const q = url.searchParams;
    const app = this.apps.get(q.get('client_id') ?? '');
    // Doorkeeper answers these two with an HTML error page: it cannot trust the redirect target.
    if (!app) return sendText(res, 401, `<!doctype html><p>${INVALID_CLIENT.error_description}</p>`, 'text/html; charset=utf-8', headers);
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!app.redirectUris.includes(redirectUri)) {
      return sendText(res, 400, '<!doctype html><p>The redirect uri included is not valid.</p>', 'text/html; charset=utf-8', headers);
    }
    const state = q.get('state');
    const back = (fields: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
      if (state !== null) target.searchParams.set('state', state);
      res.writeHead(302, { ...headers, Location: target.toString(), 'Content-Length': '0' });
      res.end();
    };
    if (q.get('response_type') !== 'code') {
      return back({ error: 'unsupported_response_type', error_description: 'The authorization server does not support this response type.' });
    }
    const scopes = scopesOf(q.get('scope') ?? undefined);
    const granted = scopes.length ? scopes : ['read'];
    if (!granted.every((s) => app.scopes.includes(s) || app.scopes.includes(s.split(':')[0] as string))) {
      return back({ error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.' });
    }
    const challenge = q.get('code_challenge');
    const method = q.get('code_challenge_method');
    if (challenge && method !== 'S256') {
      // Mastodon allows only S256 (plain would leak the verifier's equivalent).
      return back({ error: 'invalid_request', error_description: 'The code challenge method must be S256.' });
    }
    const code = randomToken();
    this.codes.set(code, { clientId: app.clientId, redirectUri, scopes: granted, challenge, expiresAt: Date.now() + 600_000 });
    if (redirectUri === OOB) {
      return sendText(res, 200, `<!doctype html><p>Copy this authorization code: <code>${code}</code></p>`, 'text/html; charset=utf-8', headers);
    }
    back({ code });
  }

  private async token(req: IncomingMessage, res: ServerResponse, headers: Headers): Promise<void> {
    const p = await readParams(req);
    const creds = clientCredentials(req, p);
    const app = this.apps.get(creds.id ?? '');
    if (!app || creds.secret !== app.clientSecret) return sendJson(res, 401, INVALID_CLIENT, headers);
    const grant = param(p, 'grant_type');
    if (grant === 'client_credentials') {
      const scopes = scopesOf(param(p, 'scope'));
      return this.issue(res, headers, app, scopes.length ? scopes : ['read'], true);
    }
    if (grant !== 'authorization_code') {
      return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' }, headers);
    }
    const code = param(p, 'code');
    if (!code) return sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing required parameter: code.' }, headers);
    const record = this.codes.get(code);
    // A code works once, for its client and redirect URI, before it expires.
    this.codes.delete(code);
    if (!record || record.clientId !== app.clientId || record.redirectUri !== param(p, 'redirect_uri') || record.expiresAt < Date.now()) {
      return sendJson(res, 400, INVALID_GRANT, headers);
    }
    if (record.challenge) {
      const verifier = param(p, 'code_verifier');
      if (!verifier || pkceChallenge(verifier) !== record.challenge) return sendJson(res, 400, INVALID_GRANT, headers);
    }
    this.issue(res, headers, app, record.scopes, false);
  }

  private issue(res: ServerResponse, headers: Headers, app: AppRecord, scopes: string[], appOnly: boolean): void {
    const t = this.tokens.add(randomToken(), { scopes, appOnly, clientId: app.clientId });
    sendJson(
      res,
      200,
      { access_token: t.token, token_type: 'Bearer', scope: scopes.join(' '), created_at: Math.floor(t.createdAt / 1000) },
      { ...headers, 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    );
  }

  private async revoke(req: IncomingMessage, res: ServerResponse, headers: Headers): Promise<void> {
    const p = await readParams(req);
    const token = this.tokens.lookup(param(p, 'token'));
    // RFC 7009: an unknown token is not an error.
    if (!token) return sendJson(res, 200, {}, headers);
    if (token.clientId) {
      const creds = clientCredentials(req, p);
      const app = this.apps.get(token.clientId);
      if (!app || creds.id !== app.clientId || creds.secret !== app.clientSecret) {
        return sendJson(res, 403, { error: 'unauthorized_client', error_description: 'You are not authorized to revoke this token' }, headers);
      }
    }
    this.tokens.revoke(token.token);
    sendJson(res, 200, {}, headers);
  }
}
