import {
  authorizeUrl, CALLBACK_PARAMS, exchangeCode, newState, newVerifier, readCallback, redirectUriOf, registerClient, revokeToken, withoutCallback,
} from '../sources/oauth';
import { checkMiAuth, miAuthUrl, newMiAuthSession } from '../sources/miauth';
import type { Settings } from '../store/settings';

/** What the page was doing when it left for the instance's sign-in page. */
export interface ResumeView {
  demo: boolean;
  demoRate: number;
}

const VIEW_KEY = 'tootscope.signInView';

/**
 * The sign-in round trip leaves the page, and the instance sends the reader back to the bare
 * page (the redirect URI cannot carry the view). The view (query, hash, the demo) is kept in this
 * tab's sessionStorage under the sign-in's `state`, so only that sign-in's return restores it.
 * Query and hash never hold a token (url-state.ts), so nothing secret is stored.
 */
function rememberView(state: string, resume: ResumeView): void {
  try {
    sessionStorage.setItem(VIEW_KEY, JSON.stringify({ state, search: location.search, hash: location.hash, ...resume }));
  } catch {
    // Storage refused: the sign-in still works, the page just comes back plain.
  }
}

/**
 * Call before anything reads the address bar: on the return from a sign-in this tab started, puts
 * the query and hash back as they were (keeping the callback's parameters for finishSignIn) and
 * says whether the demo was running.
 */
export function restoreSignInView(): ResumeView | null {
  const cb = readCallback(location.search);
  if (!cb) return null;
  let saved: unknown;
  try {
    saved = JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? 'null');
    sessionStorage.removeItem(VIEW_KEY);
  } catch {
    return null;
  }
  if (!saved || typeof saved !== 'object') return null;
  const v = saved as Record<string, unknown>;
  if (v.state !== cb.state || typeof v.search !== 'string' || typeof v.hash !== 'string') return null;
  const q = new URLSearchParams(withoutCallback(v.search));
  for (const [k, value] of new URLSearchParams(location.search)) if (CALLBACK_PARAMS.includes(k)) q.set(k, value);
  const search = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${v.hash}`);
  return { demo: v.demo === true, demoRate: typeof v.demoRate === 'number' ? v.demoRate : 0 };
}

/**
 * Sign-in steps that touch the page's location. The token never appears in a URL: the code the
 * instance sends back is removed from the address bar before it is exchanged.
 */
export async function startSignIn(
  settings: Settings, baseUrl: string, resume: ResumeView = { demo: false, demoRate: 0 }, kind: 'oauth' | 'miauth' = 'oauth',
): Promise<void> {
  const redirectUri = redirectUriOf(location);
  if (kind === 'miauth') {
    const session = newMiAuthSession();
    await settings.savePending({ state: session, verifier: '', baseUrl, createdAt: Date.now(), kind });
    rememberView(session, resume);
    location.assign(miAuthUrl(baseUrl, session, redirectUri));
    return;
  }
  let client = await settings.client(baseUrl, redirectUri);
  if (!client) {
    client = await registerClient(baseUrl, redirectUri);
    await settings.saveClient(baseUrl, client);
  }
  const pending = { state: newState(), verifier: newVerifier(), baseUrl, createdAt: Date.now() };
  await settings.savePending(pending);
  rememberView(pending.state, resume);
  location.assign(await authorizeUrl(baseUrl, client, pending));
}

/** On return from the instance: null when this load is not a sign-in callback. */
export async function finishSignIn(settings: Settings): Promise<{ baseUrl: string; token: string } | { error: string } | null> {
  const search = location.search;
  const cb = readCallback(search);
  if (!cb) return null;
  history.replaceState(history.state, '', `${location.pathname}${withoutCallback(location.search)}${location.hash}`);
  const pending = await settings.takePending(cb.state);
  if (!pending) return { error: 'Sign-in could not be completed: this page did not start it (or it was already used).' };
  if ('error' in cb) return { error: `Sign-in was refused by ${new URL(pending.baseUrl).host}: ${cb.error}` };
  // A return of the other kind than the sign-in this page started is not its return.
  if ('session' in cb !== (pending.kind === 'miauth')) return { error: 'Sign-in could not be completed: this page did not start it (or it was already used).' };
  if ('session' in cb) {
    try {
      const token = await checkMiAuth(pending.baseUrl, pending.state);
      await settings.saveToken(pending.baseUrl, token);
      return { baseUrl: pending.baseUrl, token };
    } catch (err) {
      return { error: `Sign-in with ${new URL(pending.baseUrl).host} failed: ${(err as Error).message}` };
    }
  }
  const client = await settings.client(pending.baseUrl, redirectUriOf(location));
  if (!client) return { error: 'Sign-in could not be completed: the app registration was lost.' };
  try {
    const token = await exchangeCode(pending.baseUrl, client, search, pending.state, pending.verifier);
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
