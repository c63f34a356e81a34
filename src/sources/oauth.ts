import { guardedFetch } from './http-guard';
import { HttpError } from './source';

/**
 * Sign-in from a static page: OAuth 2 authorization code with PKCE (S256), as browser-only
 * Mastodon clients do (PROTOCOL.md § Signing in). The redirect URI is the page's own URL (origin +
 * path), so it works under any sub-path. Nothing secret ever goes into a URL we make: the code
 * comes back in the query and is removed from the address bar before anything else runs.
 */
export interface OAuthClient {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

export interface PendingSignIn {
  state: string;
  verifier: string;
  baseUrl: string;
  createdAt: number;
}

const CLIENT_NAME = 'Tootscope';
const SCOPE = 'read';

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The page's own URL without query or fragment: what the instance redirects back to. */
export function redirectUriOf(location: { origin: string; pathname: string }): string {
  return `${location.origin}${location.pathname}`;
}

/** An OAuth answer is a few hundred bytes; a server sending more is not answering sign-in. */
const OAUTH_MAX_BYTES = 64 * 1024;

/**
 * POSTs `fields` to the instance and returns its JSON. These requests carry the client secret,
 * the code or the token, so a redirect is refused outright (`redirect: 'error'`: a 307 would
 * re-send the body to wherever it points); the answer has a deadline and a size cap.
 */
async function post(url: string, fields: Record<string, string>, what: string): Promise<unknown> {
  const g = await guardedFetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'error' }, { maxBytes: OAUTH_MAX_BYTES, what });
  // An empty or non-JSON success (a revoke may answer nothing) is null; the caller checks fields.
  if (g.res.ok) return g.json().catch((err: unknown) => (err instanceof SyntaxError ? null : Promise.reject(err)));
  const body = (await g.json().catch(() => null)) as { error?: unknown } | null;
  throw new HttpError(g.res.status, typeof body?.error === 'string' ? body.error : g.res.statusText || 'request failed', g.res.headers);
}

export async function registerClient(baseUrl: string, redirectUri: string): Promise<OAuthClient> {
  const app = (await post(`${baseUrl}/api/v1/apps`, { client_name: CLIENT_NAME, redirect_uris: redirectUri, scopes: SCOPE }, 'app registration')) as Partial<OAuthClient> | null;
  if (!app?.client_id || !app.client_secret) throw new Error('the instance did not return client credentials');
  return { client_id: app.client_id, client_secret: app.client_secret, redirect_uri: redirectUri };
}

export async function authorizeUrl(baseUrl: string, client: OAuthClient, pending: PendingSignIn): Promise<string> {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    scope: SCOPE,
    code_challenge: await pkceChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
  });
  return `${baseUrl}/oauth/authorize?${q}`;
}

export async function exchangeCode(baseUrl: string, client: OAuthClient, code: string, verifier: string): Promise<string> {
  const body = (await post(
    `${baseUrl}/oauth/token`,
    {
      grant_type: 'authorization_code',
      code,
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uri: client.redirect_uri,
      code_verifier: verifier,
      scope: SCOPE,
    },
    'the token exchange',
  )) as { access_token?: unknown } | null;
  if (typeof body?.access_token !== 'string' || !body.access_token) throw new Error('the instance returned no access token');
  return body.access_token;
}

export async function revokeToken(baseUrl: string, client: OAuthClient, token: string): Promise<void> {
  await post(`${baseUrl}/oauth/revoke`, { client_id: client.client_id, client_secret: client.client_secret, token }, 'the token revocation');
}

/** `?code=…&state=…` (or `?error=…`) on return from the instance; null on an ordinary load. */
export function readCallback(search: string): { code: string; state: string } | { error: string; state: string } | null {
  const q = new URLSearchParams(search);
  const state = q.get('state');
  if (!state) return null;
  const code = q.get('code');
  if (code) return { code, state };
  const error = q.get('error_description') ?? q.get('error');
  return error ? { error, state } : null;
}

/** The same query without the OAuth parameters, for history.replaceState. */
export function withoutCallback(search: string): string {
  const q = new URLSearchParams(search);
  for (const k of ['code', 'state', 'error', 'error_description']) q.delete(k);
  const s = q.toString();
  return s ? `?${s}` : '';
}
