import type { MastodonStatus, StreamChannel } from '../core/mastodon';
import { compareIds } from '../core/status-id';
import { channelOf, timelinePath } from '../core/channel';
import { guardedFetch, MAX_PAGE_BYTES } from './http-guard';
import { HttpError } from './source';

/** REST equivalent of a stream channel (PROTOCOL.md § REST timelines; a hashtag's is `timelines/tag/:tag`). */
export function timelineUrl(baseUrl: string, channel: StreamChannel, params: Record<string, string>): string {
  const { path, params: own } = timelinePath(channelOf(channel));
  const q = new URLSearchParams({ limit: '40', ...params, ...own });
  return `${baseUrl}${path}?${q}`;
}

/** `<url>; rel="prev", <url>; rel="next"` → the URL for `rel`. */
export function linkUrl(header: string | null, rel: string): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2] === rel) return m[1] ?? null;
  }
  return null;
}

export interface RateLimit {
  remaining: number | null;
  /** Epoch ms when the window resets. */
  resetAt: number | null;
}

export function rateLimitOf(headers: Headers): RateLimit {
  const remaining = headers.get('X-RateLimit-Remaining');
  const reset = headers.get('X-RateLimit-Reset');
  const resetAt = reset ? Date.parse(reset) : NaN;
  return { remaining: remaining === null ? null : Number(remaining), resetAt: Number.isFinite(resetAt) ? resetAt : null };
}

export interface PageResult {
  statuses: MastodonStatus[];
  rateLimit: RateLimit;
  /** Seconds the server caches anonymous answers for (`Cache-Control: max-age`). */
  maxAge: number | null;
  prev: string | null;
}

export async function fetchPage(url: string, token: string | null, signal: AbortSignal): Promise<PageResult> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const got = await guardedFetch(url, { headers, signal }, { maxBytes: MAX_PAGE_BYTES, what: 'its public timeline' });
  const { res } = got;
  if (!res.ok) {
    // Mastodon's errors are `{"error": "…"}`; the body is read under the same cap and deadline.
    const body = (await got.json().catch(() => null)) as { error?: unknown } | null;
    throw new HttpError(res.status, typeof body?.error === 'string' ? body.error : res.statusText || 'request failed', res.headers);
  }
  let body: unknown;
  try {
    body = await got.json();
  } catch (err) {
    if (err instanceof SyntaxError) throw new HttpError(res.status, 'the timeline answer is not JSON');
    throw err;
  }
  if (!Array.isArray(body)) throw new HttpError(res.status, 'the timeline answer is not a list of statuses');
  const cc = /max-age=(\d+)/.exec(res.headers.get('Cache-Control') ?? '');
  return {
    statuses: body as MastodonStatus[],
    rateLimit: rateLimitOf(res.headers),
    maxAge: cc ? Number(cc[1]) : null,
    prev: linkUrl(res.headers.get('Link'), 'prev'),
  };
}

/**
 * Every status newer than `minId`, oldest first: request `min_id`, then follow `rel="prev"` until a
 * page comes back empty. Each page is handed over as it arrives so a 429 midway loses nothing.
 */
export async function walkNewer(opts: {
  baseUrl: string;
  channel: StreamChannel;
  token: string | null;
  minId: string;
  signal: AbortSignal;
  onPage(statuses: MastodonStatus[], page: PageResult): void;
  maxPages?: number;
  /** Asked after each page handed over: false ends the walk there (e.g. few requests left). */
  continueAfter?(page: PageResult): boolean;
}): Promise<PageResult | null> {
  let url: string | null = timelineUrl(opts.baseUrl, opts.channel, { min_id: opts.minId });
  let last: PageResult | null = null;
  for (let i = 0; url && i < (opts.maxPages ?? 1000); i++) {
    const page = await fetchPage(url, opts.token, opts.signal);
    last = page;
    if (!page.statuses.length) break;
    opts.onPage([...page.statuses].sort((a, b) => compareIds(a.id, b.id)), page);
    if (opts.continueAfter && !opts.continueAfter(page)) break;
    url = sameOrigin(page.prev, opts.baseUrl);
  }
  return last;
}

/** A token goes only to its own instance: never follow a Link that points elsewhere. */
function sameOrigin(url: string | null, baseUrl: string): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin === new URL(baseUrl).origin ? url : null;
  } catch {
    return null;
  }
}
