import type { StreamChannel } from '../core/mastodon';
import { formatChannel, parseChannel } from '../core/channel';

/**
 * `?instances=URL1,URL2` and `?demo`: links that start a view. Tokens never go here. An instance
 * may name its channel by the path Mastodon's own web pages use for it, so a shared link reads as
 * what it shows: `https://a.example/public/local`, `…/public/remote`, `…/tags/rust` (a hashtag)
 * and `…/tags/rust/local` (its local posts only).
 */
export interface UrlState {
  instances: string[];
  /** The channel named by an entry of `instances`, when it named one. */
  channels: Map<string, StreamChannel>;
  demo: boolean;
}

/** The channel a shared instance URL's path names, or null (no path, or one that names none). */
export function channelFromPath(raw: string): StreamChannel | null {
  let path: string;
  try {
    path = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`).pathname;
  } catch {
    return null;
  }
  const p = decodeURIComponent(path).replace(/\/+$/, '');
  if (p === '/public' || p === '/public/local' || p === '/public/remote') return p.slice(1) as StreamChannel;
  const m = /^\/tags\/([^/]+)(\/local)?$/.exec(p);
  const c = m ? parseChannel(`#${m[1]}${m[2] ?? ''}`) : null;
  return c ? formatChannel(c) : null;
}

export function readUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const instances = (q.get('instances') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const channels = new Map<string, StreamChannel>();
  for (const raw of instances) {
    const c = channelFromPath(raw);
    if (c) channels.set(raw, c);
  }
  return { instances, channels, demo: q.has('demo') };
}

/** A feed as the path of Mastodon's own page for it (the inverse of channelFromPath; '' for the public timeline). */
export function feedPath(channel: StreamChannel): string {
  const c = parseChannel(channel);
  if (!c || (c.kind === 'public' && c.side === 'all')) return '';
  if (c.kind === 'public') return `/public/${c.side}`;
  // Tags are letters, digits, marks and `_` (channel.ts): nothing a link must escape but what the query escapes.
  return `/tags/${c.tag}${c.local ? '/local' : ''}`;
}

/**
 * A link that opens this view elsewhere: the page's address with `instances` naming every row's
 * feeds (one entry per feed, as channelFromPath reads them back) and its other parameters (filters,
 * section) kept. Never a token: rows' tokens are not part of it.
 */
export function shareLink(page: { origin: string; pathname: string; search: string; hash: string }, rows: ReadonlyArray<{ baseUrl: string; channels: readonly StreamChannel[] }>): string {
  const q = new URLSearchParams(page.search);
  q.delete('demo');
  const entries = rows.flatMap((r) => r.channels.map((c) => `${r.baseUrl}${feedPath(c)}`));
  if (entries.length) q.set('instances', entries.join(','));
  else q.delete('instances');
  // Commas and slashes stay readable in the shared address; URLSearchParams would escape them.
  const search = q.toString().replace(/%2C/gi, ',').replace(/%2F/gi, '/').replace(/%3A/gi, ':');
  return `${page.origin}${page.pathname}${search ? `?${search}` : ''}${page.hash}`;
}
