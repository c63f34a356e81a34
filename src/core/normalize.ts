import type { TootRow, TootSource } from './toot';
import { codePointLength, htmlToText, wordCount } from './html-to-text';
import { checkStatus } from './status-schema';
import { numericId } from './status-id';

/** `https://Host:443/` → `https://host`: the form `base_url` and `seen_on` hold. */
export function normalizeBaseUrl(input: string): string {
  const u = new URL(input);
  return `${u.protocol}//${u.host}`.toLowerCase();
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

/** Posts older than this are not from the fediverse (Mastodon: 2016, OStatus: 2008). */
export const EARLIEST_POST_MS = Date.UTC(2000, 0, 1);
/** A server's clock may run ahead of ours; a post dated further ahead than this is refused. */
export const MAX_CLOCK_AHEAD_MS = 86_400_000;

/**
 * A time within [2000, arrival + 1 day]. One post dated in year 275760 once made every time-spanning
 * query build a grid of billions of buckets and run DuckDB out of memory, across reloads (issue 14).
 */
function timeIn(iso: string, receivedAt: number): number | null {
  const t = Date.parse(iso);
  return t >= EARLIEST_POST_MS && t <= receivedAt + MAX_CLOCK_AHEAD_MS ? t : null;
}

/**
 * A Mastodon status as one `toots` row. Throws InvalidStatusError, naming the field, on a payload
 * that fails `statusSchema` (src/core/status-schema.ts) or is dated outside a sane window, so a
 * malformed event is reported and skipped, never stored or thrown into a batch.
 */
export function normalizeStatus(input: unknown, baseUrl: string, source: TootSource, receivedAt: number): TootRow {
  const checked = checkStatus(input);
  if (!checked.ok) throw new InvalidStatusError(checked.reason);
  const status = checked.value;
  const { id, uri, account } = status;
  const created = timeIn(status.created_at, receivedAt);
  if (created === null) throw new InvalidStatusError(`created_at: ${status.created_at.slice(0, 40)} is outside 2000 … now + 1 day`);
  const edited = status.edited_at == null ? null : timeIn(status.edited_at, receivedAt);
  if (status.edited_at != null && edited === null) throw new InvalidStatusError(`edited_at: ${status.edited_at.slice(0, 40)} is outside 2000 … now + 1 day`);

  const text = htmlToText(status.content ?? '');
  const url = status.url ?? uri;
  const fromInstance = hostOf(url) || hostOf(uri);
  const acct = account.acct?.includes('@') ? account.acct : `${account.username}@${fromInstance}`;
  const tags = status.tags ?? [];
  return {
    m_id: numericId(id),
    created_at: Math.floor(created / 1000),
    created_at_str: formatCreatedAtStr(created),
    app: status.application?.name ?? '',
    url,
    base_url: baseUrl,
    language: status.language || 'unknown',
    favourites: status.favourites_count,
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
    edited_at: edited,
    from_instance: fromInstance,
    acct,
    display_name: account.display_name ?? '',
    // Informational only: a broken account date is dropped rather than the post.
    account_created_at: account.created_at == null ? null : timeIn(account.created_at, receivedAt),
    followers: account.followers_count,
    hashtags: tags.map((t) => t.name.toLowerCase()),
    mentions: status.mentions?.length ?? 0,
    media: status.media_attachments?.length ?? 0,
    has_poll: status.poll != null,
    reblogs: status.reblogs_count,
    replies: status.replies_count,
    sensitive: status.sensitive === true,
    spoiler_text: status.spoiler_text ?? '',
    visibility: status.visibility ?? 'public',
    is_reply: status.in_reply_to_id != null,
    seen_on: [baseUrl],
    source,
  };
}
