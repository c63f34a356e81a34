import type { StreamChannel } from './mastodon';

/**
 * What a row follows on its instance (issue 19): the whole public timeline, its local or remote
 * half, or one hashtag (federated, or local only). Written as people would share it, and as it is
 * kept in settings and links: `public`, `public/local`, `public/remote`, `#tag`, `#tag/local`.
 *
 * A hashtag is kept as typed, without `#`; servers match it case-insensitively (Mastodon's
 * `Tag.find_normalized`), and so does `hasTag`.
 */
export type Channel =
  | { kind: 'public'; side: 'all' | 'local' | 'remote' }
  | { kind: 'hashtag'; tag: string; local: boolean };

/** Mastodon's tag names: letters, digits, marks and `_`, at most 100 of them (Tag::HASHTAG_NAME_RE). */
const TAG = /^[\p{L}\p{N}\p{M}_\u00b7\u200c]{1,100}$/u;

export function parseChannel(text: string): Channel | null {
  const t = text.trim();
  if (t === 'public') return { kind: 'public', side: 'all' };
  if (t === 'public/local') return { kind: 'public', side: 'local' };
  if (t === 'public/remote') return { kind: 'public', side: 'remote' };
  const m = /^#?([^/#\s]+)(\/local)?$/u.exec(t);
  if (!m || !TAG.test(m[1]!)) return null;
  return { kind: 'hashtag', tag: m[1]!, local: m[2] !== undefined };
}

export function formatChannel(c: Channel): StreamChannel {
  if (c.kind === 'public') return c.side === 'all' ? 'public' : `public/${c.side}`;
  return `#${c.tag}${c.local ? '/local' : ''}`;
}

/** A StreamChannel as a Channel; anything that does not parse is the public timeline. */
export const channelOf = (s: StreamChannel): Channel => parseChannel(s) ?? { kind: 'public', side: 'all' };

/** A tag name, or `#tag`, as the row's hashtag channel text; null when it is no hashtag Mastodon allows. */
export function hashtagChannel(input: string, local: boolean): StreamChannel | null {
  const c = parseChannel(`#${input.trim().replace(/^#/, '')}${local ? '/local' : ''}`);
  return c?.kind === 'hashtag' ? formatChannel(c) : null;
}

/** The SSE path after `/api/v1/streaming/`, with its query. */
export function ssePath(c: Channel): string {
  if (c.kind === 'public') return c.side === 'all' ? 'public' : `public/${c.side}`;
  return `hashtag${c.local ? '/local' : ''}?tag=${encodeURIComponent(c.tag)}`;
}

/** Mastodon's WebSocket subscribe message for the channel (streaming/index.js `channelNameToIds`). */
export function subscribeMessage(c: Channel): { type: 'subscribe'; stream: string; tag?: string } {
  if (c.kind === 'public') return { type: 'subscribe', stream: c.side === 'all' ? 'public' : `public:${c.side}` };
  return { type: 'subscribe', stream: c.local ? 'hashtag:local' : 'hashtag', tag: c.tag };
}

/**
 * The WebSocket URL's query. A hashtag goes in the URL, not in a subscribe message: Akkoma looks
 * a message's stream up without its `tag`, and GoToSocial ignores a `hashtag` message
 * (docs/FEDIVERSE-STREAMING.md); Mastodon takes either.
 */
export function wsQuery(c: Channel): string {
  return c.kind === 'hashtag' ? `?stream=${c.local ? 'hashtag:local' : 'hashtag'}&tag=${encodeURIComponent(c.tag)}` : '';
}

/** Mastodon's stream name (`public:local`, `hashtag`…), for messages. */
export const streamName = (c: Channel): string => subscribeMessage(c).stream;

/** The REST timeline path and its query parameters for the channel. */
export function timelinePath(c: Channel): { path: string; params: Record<string, string> } {
  if (c.kind === 'public') {
    return { path: '/api/v1/timelines/public', params: c.side === 'all' ? {} : { [c.side]: 'true' } };
  }
  return { path: `/api/v1/timelines/tag/${encodeURIComponent(c.tag)}`, params: c.local ? { local: 'true' } : {} };
}

/** Whether a status's tags (Mastodon's `tags[].name`) hold the channel's hashtag; true for public channels. */
export function hasTag(c: Channel, tags: ReadonlyArray<{ name: string }> | null | undefined): boolean {
  if (c.kind !== 'hashtag') return true;
  const want = c.tag.normalize('NFKC').toLowerCase();
  return (tags ?? []).some((t) => typeof t?.name === 'string' && t.name.normalize('NFKC').toLowerCase() === want);
}

/**
 * Where a feed's collection continues (Intake's positions, kept in IndexedDB): an instance's
 * public timeline keeps the instance's own key, as before feeds were several per row, and every
 * other feed its own, so a hashtag's newest post never moves the public timeline past posts it has
 * not fetched yet. A feed with no position of its own yet starts from the instance's.
 */
export const feedKey = (baseUrl: string, channel: StreamChannel): string => (channel === 'public' ? baseUrl : `${baseUrl} ${channel}`);

/** A feedKey read back: the instance, and the feed (the public timeline when the key names none). */
export function parseFeedKey(key: string): { baseUrl: string; channel: StreamChannel } {
  const space = key.indexOf(' ');
  return space < 0 ? { baseUrl: key, channel: 'public' } : { baseUrl: key.slice(0, space), channel: key.slice(space + 1) as StreamChannel };
}

/** The activity chart's series key for a feed; the space keeps it from being taken for an instance. */
export const FEED_PREFIX = 'feed ';

/**
 * The SQL condition a stored toot meets when the feed would deliver it: collected from the
 * instance, and by the feed's rule (an author of the instance for `local`, of another for
 * `remote`, the tag among `hashtags`, which are kept lowercased). Derived from the toot itself, so
 * a post that two feeds deliver, stored once, counts in both. A local author's posts live under
 * the instance's host, or under its own `domain` where the server names one apart (discovery.ts).
 */
export function feedWhereSql(baseUrl: string, channel: StreamChannel, domain?: string): string {
  const q = (s: string) => `'${s.replaceAll('\0', '').replaceAll("'", "''")}'`;
  const hosts = [...new Set([new URL(baseUrl).host, ...(domain ? [domain] : [])])].map(q).join(', ');
  const c = channelOf(channel);
  const parts = [`base_url = ${q(baseUrl)}`];
  if ((c.kind === 'public' && c.side === 'local') || (c.kind === 'hashtag' && c.local)) parts.push(`from_instance IN (${hosts})`);
  if (c.kind === 'public' && c.side === 'remote') parts.push(`from_instance NOT IN (${hosts})`);
  if (c.kind === 'hashtag') parts.push(`list_contains(hashtags, ${q(c.tag.toLowerCase())})`);
  return parts.join(' AND ');
}

/** A feed as the page names it: "public (all)", "local", "remote", "#rust", "#rust (local)". */
export function feedLabel(channel: StreamChannel): string {
  const c = channelOf(channel);
  if (c.kind === 'public') return c.side === 'all' ? 'public (all)' : c.side;
  return `#${c.tag}${c.local ? ' (local)' : ''}`;
}
