/**
 * Misskey's REST timelines (`POST /api/notes/global-timeline`, `/api/notes/local-timeline`): what a
 * Misskey row backfills from. The token, when there is one, goes in the JSON body as `i`, as
 * Misskey's own client sends it: never in a URL. Notes come back unchecked (`unknown[]`): the
 * reader checks each one (src/core/misskey-note.ts).
 */
import type { StreamChannel } from '../core/mastodon';
import { channelOf } from '../core/channel';
import { compareIds, isStatusId } from '../core/status-id';
import { guardedFetch, MAX_PAGE_BYTES } from './http-guard';
import { HttpError } from './source';

export type MisskeyTimeline = 'globalTimeline' | 'localTimeline' | 'hashtag';

export interface MisskeyFeed {
  /** The channel joined on `/streaming`; its REST twin is ENDPOINT's. */
  timeline: MisskeyTimeline;
  /** The hashtag followed (`hashtag` only), as typed, without `#`. */
  tag?: string;
  /**
   * Which notes to keep by their user's server. Misskey has no remote-only timeline and no
   * local-only hashtag: those are the global timeline or the hashtag, filtered here.
   */
  keep: 'all' | 'local' | 'remote';
}

/** The row's channel as Misskey's. */
export function misskeyFeed(channel: StreamChannel): MisskeyFeed {
  const c = channelOf(channel);
  if (c.kind === 'hashtag') return { timeline: 'hashtag', tag: c.tag, keep: c.local ? 'local' : 'all' };
  if (c.side === 'local') return { timeline: 'localTimeline', keep: 'all' };
  return { timeline: 'globalTimeline', keep: c.side === 'remote' ? 'remote' : 'all' };
}

const ENDPOINT: Record<MisskeyTimeline, string> = { globalTimeline: 'notes/global-timeline', localTimeline: 'notes/local-timeline', hashtag: 'notes/search-by-tag' };

/** The `connect` message's params: the hashtag channel's query is OR-of-AND lists of tags (`q`). */
export function connectParams(feed: MisskeyFeed): Record<string, unknown> {
  // `withRenotes: false` spares the local timeline's boosts (the global one ignores params).
  return feed.timeline === 'hashtag' ? { q: [[feed.tag ?? '']] } : { withRenotes: false };
}

/** Misskey's timelines give at most 100 notes a request (`limit` maximum). */
export const MISSKEY_PAGE = 100;

/** An error answer that names its code (`GTL_DISABLED`, `AUTHENTICATION_FAILED`…). */
export class MisskeyApiError extends HttpError {
  constructor(
    status: number,
    reason: string,
    readonly code: string,
    headers?: Headers,
  ) {
    super(status, reason, headers);
  }
}

export async function fetchNotes(
  baseUrl: string,
  feed: MisskeyFeed,
  token: string,
  params: { limit: number; sinceId?: string; untilId?: string },
  signal: AbortSignal,
): Promise<unknown[]> {
  const body = JSON.stringify({ ...(token ? { i: token } : {}), ...(feed.timeline === 'hashtag' ? { tag: feed.tag } : {}), ...params });
  const got = await guardedFetch(
    `${baseUrl}/api/${ENDPOINT[feed.timeline]}`,
    { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body, signal },
    { maxBytes: MAX_PAGE_BYTES, what: 'its timeline' },
  );
  const { res } = got;
  if (!res.ok) {
    // `{"error":{"message","code","id","kind"}}` (ApiCallService); anything else: the status text.
    const answer = (await got.json().catch(() => null)) as { error?: { message?: unknown; code?: unknown } } | null;
    const message = typeof answer?.error?.message === 'string' ? answer.error.message.slice(0, 200) : res.statusText || 'request failed';
    const code = typeof answer?.error?.code === 'string' ? answer.error.code.slice(0, 60) : '';
    throw new MisskeyApiError(res.status, code ? `${message} (${code})` : message, code, res.headers);
  }
  let notes: unknown;
  try {
    notes = await got.json();
  } catch (err) {
    if (err instanceof SyntaxError) throw new HttpError(res.status, 'the timeline answer is not JSON');
    throw err;
  }
  if (!Array.isArray(notes)) throw new HttpError(res.status, 'the timeline answer is not a list of notes');
  return notes;
}

/** The note's id where it is one we can order; notes without one are still handed on, to be skipped and counted. */
export const noteId = (note: unknown): string | null => {
  const id = typeof note === 'object' && note !== null ? (note as { id?: unknown }).id : undefined;
  return typeof id === 'string' && isStatusId(id) ? id : null;
};

const byId = (a: unknown, b: unknown) => compareIds(noteId(a) ?? '', noteId(b) ?? '');

/**
 * Every note newer than `sinceId`, oldest first, a page at a time. Misskey answers `sinceId` alone
 * in ascending order (`QueryService.makePaginationQuery`), so the walk moves `sinceId` forward. A
 * server that answers newest first instead is walked back from there with `untilId` (with
 * `sinceId`, which Misskey answers descending), so nothing between is skipped either way.
 */
export async function walkNotesSince(opts: {
  baseUrl: string;
  feed: MisskeyFeed;
  token: string;
  sinceId: string;
  signal: AbortSignal;
  onPage(notes: unknown[]): void;
  maxPages?: number;
}): Promise<void> {
  const { baseUrl, feed, token, signal } = opts;
  let sinceId = opts.sinceId;
  for (let i = 0; i < (opts.maxPages ?? 100); i++) {
    const page = await fetchNotes(baseUrl, feed, token, { limit: MISSKEY_PAGE, sinceId }, signal);
    const ids = page.map(noteId).filter((id): id is string => id !== null);
    const sorted = [...page].sort(byId);
    const newest = ids.reduce<string | null>((m, id) => (m === null || compareIds(id, m) > 0 ? id : m), null);
    const descending = ids.length > 1 && compareIds(ids[0]!, ids.at(-1)!) > 0;
    if (descending && page.length >= MISSKEY_PAGE) {
      // Newest first: the gap below this page is fetched before the page is handed on (oldest first).
      const older: unknown[][] = [];
      let untilId = ids.at(-1)!;
      for (let j = 0; j < (opts.maxPages ?? 100); j++) {
        const below = await fetchNotes(baseUrl, feed, token, { limit: MISSKEY_PAGE, sinceId, untilId }, signal);
        const belowIds = below.map(noteId).filter((id): id is string => id !== null);
        if (below.length) older.unshift([...below].sort(byId));
        if (below.length < MISSKEY_PAGE || !belowIds.length) break;
        untilId = belowIds.reduce((m, id) => (compareIds(id, m) < 0 ? id : m));
      }
      for (const notes of older) opts.onPage(notes);
      opts.onPage(sorted);
      return;
    }
    if (page.length) opts.onPage(sorted);
    if (page.length < MISSKEY_PAGE || newest === null) return;
    sinceId = newest;
  }
}
