import * as v from 'valibot';
import { fitsBigint, hasIdForm } from './status-id';

/**
 * What a stranger's server may send us as a status, checked field by field before anything reads
 * it (issue 14). `v.object` copies only the fields named here, so extra fields, however large or
 * deeply nested, are never walked. Every bound below is far above what a real server sends; what
 * lies beyond it is hostile or broken, and the status is skipped with a counted warning.
 *
 * Fields a row cannot do without (id, uri, created_at, account) must be present and right; the rest
 * may be missing or null (servers differ: Pleroma omits `application`, old accounts lack `bot`), but
 * never of another type.
 */

const KIB = 1024;
/** Mastodon caps posts at 500 characters by default; Akkoma admins raise it to ~100 k. HTML doubles it. */
export const MAX_CONTENT_BYTES = 512 * KIB;
const MAX_URL = 4 * KIB;
const MAX_NAME = 2 * KIB;
const MAX_LIST = 10_000;
/** INTEGER columns: counts outside this are clamped (Mastodon has shown negative counts). */
const MAX_INT32 = 2_147_483_647;

const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `is longer than ${max} characters`));
const optionalText = (max: number) => v.nullish(text(max));

/** `s` cut to `max` UTF-16 units, never between the two halves of a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
/**
 * Text that only describes a post (a display name, an app's name, a content warning, a hashtag):
 * cut to its bound rather than losing the post for it. Identity (ids, uri, username, acct) and the
 * content itself are refused past their bounds instead.
 */
const clippedText = (max: number) => v.nullish(v.pipe(v.string(), v.transform((s) => clip(s, max))));

/**
 * A status id of a kind we can order exactly (src/core/status-id.ts): decimal text that fits BIGINT
 * (ids beyond 2^53 stay strings), a FlakeId (Akkoma, Pleroma), a ULID (GoToSocial) or a Misskey id.
 */
export const statusIdSchema = v.pipe(
  v.string(),
  v.maxLength(32, 'is not a status id'),
  v.check((id) => hasIdForm(id) || /^\d{20,32}$/.test(id), 'is not a status id (decimal, FlakeId, ULID or Misskey aid/aidx/meid/meidg)'),
  v.check(fitsBigint, 'overflows BIGINT'),
);

/** A timestamp text that `Date.parse` reads; its range is checked against the time it arrived. */
const timeText = v.pipe(
  v.string(),
  v.maxLength(64, 'is not a timestamp'),
  v.check((s) => Number.isFinite(Date.parse(s)), 'is not a timestamp'),
);

/** Any JS number made a bounded non-negative integer; anything else (a string, an object) fails. */
const count = v.pipe(
  v.nullish(v.number(), 0),
  v.transform((n) => (Number.isFinite(n) ? Math.min(MAX_INT32, Math.max(0, Math.trunc(n))) : 0)),
);

const list = v.nullish(v.pipe(v.array(v.unknown()), v.maxLength(MAX_LIST, `has more than ${MAX_LIST} items`)));

const accountSchema = v.object({
  username: v.pipe(text(MAX_NAME), v.minLength(1, 'is empty')),
  acct: optionalText(MAX_NAME),
  display_name: clippedText(MAX_NAME),
  bot: v.nullish(v.boolean()),
  created_at: v.nullish(timeText),
  followers_count: count,
});

const tagSchema = v.object({ name: v.pipe(v.string(), v.transform((s) => clip(s, MAX_NAME))) });

export const statusSchema = v.object({
  id: statusIdSchema,
  uri: v.pipe(text(MAX_URL), v.minLength(1, 'is empty')),
  url: optionalText(MAX_URL),
  created_at: timeText,
  edited_at: v.nullish(timeText),
  language: v.nullish(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{0,35}$/, 'is not a language code'))),
  content: v.nullish(v.pipe(v.string(), v.maxLength(MAX_CONTENT_BYTES, `is larger than ${MAX_CONTENT_BYTES / KIB} KiB`))),
  spoiler_text: clippedText(64 * KIB),
  visibility: optionalText(32),
  sensitive: v.nullish(v.boolean()),
  replies_count: count,
  reblogs_count: count,
  favourites_count: count,
  in_reply_to_id: v.nullish(v.union([v.string(), v.number()])),
  application: v.nullish(v.object({ name: clippedText(MAX_NAME) })),
  account: accountSchema,
  tags: v.nullish(v.pipe(v.array(tagSchema), v.maxLength(MAX_LIST, `has more than ${MAX_LIST} items`))),
  mentions: list,
  media_attachments: list,
  poll: v.nullish(v.record(v.string(), v.unknown())),
});

export type CheckedStatus = v.InferOutput<typeof statusSchema>;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The first problem in plain words, with the field's path: `account.acct: Invalid type: Expected string but received 5`. */
function reason(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = first.path?.map((p) => String(p.key)).join('.');
  return path ? `${path}: ${first.message}` : first.message;
}

export function checkStatus(input: unknown): Checked<CheckedStatus> {
  const r = v.safeParse(statusSchema, input, { abortEarly: true });
  return r.success ? { ok: true, value: r.output } : { ok: false, reason: reason(r.issues) };
}
