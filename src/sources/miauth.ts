import { guardedFetch } from './http-guard';
import { HttpError } from './source';

/**
 * Misskey's sign-in, MiAuth (its forks keep it): the page sends the person to
 * `/miauth/<session>` on their server with the app's name, the permissions it asks for and where
 * to come back; once they accept there, the server sends them back with `?session=<session>`, and
 * `POST /api/miauth/<session>/check` hands the token over, once (misskey-dev/misskey
 * ApiServerService.ts, pages/miauth.vue). The session is a random UUID that only this tab knows;
 * the token comes in the answer's body, never in a URL.
 */

const APP_NAME = 'Tootscope';
/** Reading timelines needs no permission of its own; `read:account` is the least a token can hold. */
const PERMISSION = 'read:account';
/** The answer is a token and a packed user: a few KB. */
const MAX_BYTES = 256 * 1024;

export const newMiAuthSession = (): string => crypto.randomUUID();

export function miAuthUrl(baseUrl: string, session: string, callback: string): string {
  const q = new URLSearchParams({ name: APP_NAME, callback, permission: PERMISSION });
  return `${baseUrl}/miauth/${encodeURIComponent(session)}?${q}`;
}

/** The token the person granted in `session`; an error when the server has none for it (refused, or fetched already). */
export async function checkMiAuth(baseUrl: string, session: string): Promise<string> {
  // No body: a simple request, no preflight; the server reads only the path. A redirect would
  // hand the token's answer to another origin, so it is refused.
  const g = await guardedFetch(`${baseUrl}/api/miauth/${encodeURIComponent(session)}/check`, { method: 'POST', redirect: 'error' }, { maxBytes: MAX_BYTES, what: 'the MiAuth check' });
  if (!g.res.ok) {
    g.done();
    throw new HttpError(g.res.status, g.res.statusText || 'the MiAuth check failed');
  }
  const body = (await g.json()) as { ok?: unknown; token?: unknown } | null;
  if (body?.ok !== true || typeof body.token !== 'string' || !body.token || body.token.length > 1024) {
    throw new Error('the server has no token for this sign-in (it was not accepted there, or was used already)');
  }
  return body.token;
}
