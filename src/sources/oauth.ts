import * as oauth from 'oauth4webapi';
import { guardedFetch } from './http-guard';
import { HttpError } from './source';

/**
 * Sign-in from a static page: OAuth 2 authorization code with PKCE (S256), as browser-only
 * Mastodon clients do (PROTOCOL.md § Signing in), through oauth4webapi (a kept, audited OAuth
 * client: PKCE, state and issuer checks, token and revocation requests). The redirect URI is the page's own URL (origin +
 * path), so it works under any sub-path. Nothing secret ever goes into a URL we make: the code
 * comes back in the query and is removed from the address bar before anything else runs.
 */
export interface OAuthClient {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

export interface PendingSignIn {
  /** OAuth's `state`; for MiAuth, its session. */
  state: string;
  verifier: string;
  baseUrl: string;
  createdAt: number;
  /** How the person signs in: OAuth (Mastodon's API), or Misskey's MiAuth (sources/miauth.ts). Absent: OAuth. */
  kind?: 'oauth' | 'miauth';
}

const CLIENT_NAME = 'Tootscope';
const SCOPE = 'read';

/** A random `state` for one sign-in (oauth4webapi: 32 random bytes, base64url). */
export const newState = (): string => oauth.generateRandomState();
/** A PKCE code verifier (oauth4webapi: 32 random bytes, base64url). */
export const newVerifier = (): string => oauth.generateRandomCodeVerifier();

/** The page's own URL without query or fragment: what the instance redirects back to. */
export function redirectUriOf(location: { origin: string; pathname: string }): string {
  return `${location.origin}${location.pathname}`;
}

/** An OAuth answer is a few hundred bytes; a server sending more is not answering sign-in. */
const OAUTH_MAX_BYTES = 64 * 1024;

/**
 * The instance as an OAuth authorization server: Doorkeeper's endpoints under the instance, and
 * Mastodon's issuer, its root URL (`/.well-known/oauth-authorization-server`, Mastodon 4.3+).
 */
function serverOf(baseUrl: string): oauth.AuthorizationServer {
  return {
    issuer: `${baseUrl}/`,
    authorization_endpoint: `${baseUrl}/oauth/authorize`,
    token_endpoint: `${baseUrl}/oauth/token`,
    revocation_endpoint: `${baseUrl}/oauth/revoke`,
  };
}

/**
 * oauth4webapi's requests, through our guard: these carry the client secret, the code or the
 * token, so a redirect is refused outright (`redirect: 'error'`: a 307 would re-send the body to
 * wherever it points), and the answer has a deadline and a size cap. Plain `http://` only for an
 * instance added as such (a local test server).
 */
function requestOptions(baseUrl: string, what: string) {
  return {
    [oauth.customFetch]: async (url: string, init: RequestInit) => {
      const g = await guardedFetch(url, { ...init, signal: init.signal ?? undefined, redirect: 'error' }, { maxBytes: OAUTH_MAX_BYTES, what });
      return new Response(await g.text(), { status: g.res.status, statusText: g.res.statusText, headers: g.res.headers });
    },
    [oauth.allowInsecureRequests]: new URL(baseUrl).protocol === 'http:',
  };
}

/** What went wrong, in the instance's own words where it gave them (`{"error": …}`). */
function oauthError(err: unknown): Error {
  if (err instanceof oauth.ResponseBodyError) return new HttpError(err.status, err.error_description ?? err.error);
  if (err instanceof oauth.AuthorizationResponseError) return new Error(err.error_description ?? err.error);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Mastodon's own app registration (`POST /api/v1/apps`, not OAuth's dynamic registration), under
 * the same guard as the OAuth requests.
 */
export async function registerClient(baseUrl: string, redirectUri: string): Promise<OAuthClient> {
  const fields = { client_name: CLIENT_NAME, redirect_uris: redirectUri, scopes: SCOPE };
  const g = await guardedFetch(`${baseUrl}/api/v1/apps`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'error' }, { maxBytes: OAUTH_MAX_BYTES, what: 'app registration' });
  const body = (await g.json().catch((err: unknown) => (err instanceof SyntaxError ? null : Promise.reject(err)))) as (Partial<OAuthClient> & { error?: unknown }) | null;
  if (!g.res.ok) throw new HttpError(g.res.status, typeof body?.error === 'string' ? body.error : g.res.statusText || 'request failed', g.res.headers);
  if (!body?.client_id || !body.client_secret) throw new Error('the instance did not return client credentials');
  return { client_id: body.client_id, client_secret: body.client_secret, redirect_uri: redirectUri };
}

export async function authorizeUrl(baseUrl: string, client: OAuthClient, pending: PendingSignIn): Promise<string> {
  const url = new URL(serverOf(baseUrl).authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    scope: SCOPE,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
  }).toString();
  return url.href;
}

/**
 * The code of the instance's answer (`search`, checked against the sign-in's `state` and, where
 * the instance names itself, its issuer) exchanged for a token, with the PKCE verifier.
 */
export async function exchangeCode(baseUrl: string, client: OAuthClient, search: string, state: string, verifier: string): Promise<string> {
  const as = serverOf(baseUrl);
  const c: oauth.Client = { client_id: client.client_id };
  try {
    const params = oauth.validateAuthResponse(as, c, new URLSearchParams(search), state);
    const res = await oauth.authorizationCodeGrantRequest(as, c, oauth.ClientSecretPost(client.client_secret), params, client.redirect_uri, verifier, {
      ...requestOptions(baseUrl, 'the token exchange'),
      additionalParameters: { scope: SCOPE },
    });
    const token = await oauth.processAuthorizationCodeResponse(as, c, res);
    return token.access_token;
  } catch (err) {
    throw oauthError(err);
  }
}

export async function revokeToken(baseUrl: string, client: OAuthClient, token: string): Promise<void> {
  const as = serverOf(baseUrl);
  try {
    const res = await oauth.revocationRequest(as, { client_id: client.client_id }, oauth.ClientSecretPost(client.client_secret), token, requestOptions(baseUrl, 'the token revocation'));
    await oauth.processRevocationResponse(res);
  } catch (err) {
    throw oauthError(err);
  }
}

/**
 * `?code=…&state=…` (or `?error=…`) on return from an OAuth sign-in, `?session=…` from a MiAuth
 * one (its session stands for the state); null on an ordinary load.
 */
export function readCallback(
  search: string,
): { code: string; state: string } | { error: string; state: string } | { session: string; state: string } | null {
  const q = new URLSearchParams(search);
  const session = q.get('session');
  if (session && !q.has('state')) return { session, state: session };
  const state = q.get('state');
  if (!state) return null;
  const code = q.get('code');
  if (code) return { code, state };
  const error = q.get('error_description') ?? q.get('error');
  return error ? { error, state } : null;
}

/** The parameters a sign-in's return adds to the page's address. */
export const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'iss', 'session'];

/** The same query without the sign-in's parameters, for history.replaceState. */
export function withoutCallback(search: string): string {
  const q = new URLSearchParams(search);
  for (const k of CALLBACK_PARAMS) q.delete(k);
  const s = q.toString();
  return s ? `?${s}` : '';
}
