import {
  authorizeUrl, exchangeCode, randomString, readCallback, redirectUriOf, registerClient, revokeToken, withoutCallback,
} from '../sources/oauth';
import type { Settings } from '../store/settings';

/**
 * Sign-in steps that touch the page's location. The token never appears in a URL: the code the
 * instance sends back is removed from the address bar before it is exchanged.
 */
export async function startSignIn(settings: Settings, baseUrl: string): Promise<void> {
  const redirectUri = redirectUriOf(location);
  let client = await settings.client(baseUrl, redirectUri);
  if (!client) {
    client = await registerClient(baseUrl, redirectUri);
    await settings.saveClient(baseUrl, client);
  }
  const pending = { state: randomString(16), verifier: randomString(48), baseUrl, createdAt: Date.now() };
  await settings.savePending(pending);
  location.assign(await authorizeUrl(baseUrl, client, pending));
}

/** On return from the instance: null when this load is not a sign-in callback. */
export async function finishSignIn(settings: Settings): Promise<{ baseUrl: string; token: string } | { error: string } | null> {
  const cb = readCallback(location.search);
  if (!cb) return null;
  history.replaceState(history.state, '', `${location.pathname}${withoutCallback(location.search)}${location.hash}`);
  const pending = await settings.takePending(cb.state);
  if (!pending) return { error: 'Sign-in could not be completed: this page did not start it (or it was already used).' };
  if ('error' in cb) return { error: `Sign-in was refused by ${new URL(pending.baseUrl).host}: ${cb.error}` };
  const client = await settings.client(pending.baseUrl, redirectUriOf(location));
  if (!client) return { error: 'Sign-in could not be completed: the app registration was lost.' };
  try {
    const token = await exchangeCode(pending.baseUrl, client, cb.code, pending.verifier);
    await settings.saveToken(pending.baseUrl, token);
    return { baseUrl: pending.baseUrl, token };
  } catch (err) {
    return { error: `Sign-in with ${new URL(pending.baseUrl).host} failed: ${(err as Error).message}` };
  }
}

/** Revokes the token at its own instance (best effort) and forgets it. */
export async function signOut(settings: Settings, baseUrl: string, token: string): Promise<string | null> {
  await settings.saveToken(baseUrl, '');
  const client = await settings.client(baseUrl, redirectUriOf(location));
  if (!client || !token) return null;
  try {
    await revokeToken(baseUrl, client, token);
    return null;
  } catch (err) {
    return `The token is forgotten here, but ${new URL(baseUrl).host} did not confirm revoking it: ${(err as Error).message}`;
  }
}
