import type { MastodonStatus } from './mastodon';
import type { TootRow, TootSource } from './toot';
import { codePointLength, htmlToText, wordCount } from './html-to-text';

/** `https://Host:443/` → `https://host`: the form `base_url` and `seen_on` hold. */
export function normalizeBaseUrl(input: string): string {
  const u = new URL(input);
  return `${u.protocol}//${u.host}`.toLowerCase();
}

function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

function hostOf(url: string | null | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY MM DD HH:MM:SS` in UTC, the seed notebook's `created_at_str`. */
export function formatCreatedAtStr(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()} ${pad(d.getUTCMonth() + 1)} ${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export class InvalidStatusError extends Error {}

/**
 * A Mastodon status as one `toots` row. Throws InvalidStatusError on a payload that lacks what a
 * row needs (id, uri, created_at, account), so a malformed event is reported, not stored.
 */
export function normalizeStatus(
  status: MastodonStatus,
  baseUrl: string,
  source: TootSource,
  receivedAt: number,
): TootRow {
  if (!status || typeof status !== 'object') throw new InvalidStatusError('status is not an object');
  const { id, uri, account } = status;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) throw new InvalidStatusError('status id is not a numeric string');
  if (typeof uri !== 'string' || !uri) throw new InvalidStatusError('status has no uri');
  if (!account || typeof account.username !== 'string') throw new InvalidStatusError('status has no account');
  const created = parseTime(status.created_at);
  if (created === null) throw new InvalidStatusError('status has no valid created_at');

  const text = htmlToText(status.content ?? '');
  const url = status.url ?? uri;
  const fromInstance = hostOf(url) || hostOf(uri);
  const acct = account.acct?.includes('@') ? account.acct : `${account.username}@${fromInstance}`;
  const tags = Array.isArray(status.tags) ? status.tags : [];
  return {
    m_id: BigInt(id),
    created_at: Math.floor(created / 1000),
    created_at_str: formatCreatedAtStr(created),
    app: status.application?.name ?? '',
    url,
    base_url: baseUrl,
    language: status.language || 'unknown',
    favourites: status.favourites_count ?? 0,
    username: account.username,
    bot: account.bot === true,
    tags: tags.length,
    characters: codePointLength(text),
    words: wordCount(text),
    mastodon_text: text,
    id,
    uri,
    created_ts: created,
    received_at: receivedAt,
    edited_at: parseTime(status.edited_at),
    from_instance: fromInstance,
    acct,
    display_name: account.display_name ?? '',
    account_created_at: parseTime(account.created_at),
    followers: account.followers_count ?? 0,
    hashtags: tags.map((t) => String(t.name).toLowerCase()),
    mentions: Array.isArray(status.mentions) ? status.mentions.length : 0,
    media: Array.isArray(status.media_attachments) ? status.media_attachments.length : 0,
    has_poll: status.poll != null,
    reblogs: status.reblogs_count ?? 0,
    replies: status.replies_count ?? 0,
    sensitive: status.sensitive === true,
    spoiler_text: status.spoiler_text ?? '',
    visibility: status.visibility ?? 'public',
    is_reply: status.in_reply_to_id != null,
    seen_on: [baseUrl],
    source,
  };
}
