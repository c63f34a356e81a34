import { httpErrorFrom } from './source';

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

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

export async function registerClient(baseUrl: string, redirectUri: string): Promise<OAuthClient> {
  const res = await fetch(`${baseUrl}/api/v1/apps`, {
    method: 'POST',
    body: form({ client_name: CLIENT_NAME, redirect_uris: redirectUri, scopes: SCOPE }),
  });
  if (!res.ok) throw await httpErrorFrom(res);
  const app = (await res.json()) as Partial<OAuthClient>;
  if (!app.client_id || !app.client_secret) throw new Error('the instance did not return client credentials');
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
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    body: form({
      grant_type: 'authorization_code',
      code,
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uri: client.redirect_uri,
      code_verifier: verifier,
      scope: SCOPE,
    }),
  });
  if (!res.ok) throw await httpErrorFrom(res);
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error('the instance returned no access token');
  return body.access_token;
}

export async function revokeToken(baseUrl: string, client: OAuthClient, token: string): Promise<void> {
  const res = await fetch(`${baseUrl}/oauth/revoke`, {
    method: 'POST',
    body: form({ client_id: client.client_id, client_secret: client.client_secret, token }),
  });
  if (!res.ok) throw await httpErrorFrom(res);
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
