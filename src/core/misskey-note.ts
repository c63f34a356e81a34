import * as v from 'valibot';
import type { MastodonAccount, MastodonStatus } from './mastodon';
import { clip, MAX_CONTENT_BYTES, statusIdSchema, type Checked } from './status-schema';

/**
 * A Misskey note (Misskey, Sharkey, Iceshrimp, Firefish…) as a Mastodon status, so the rest of the
 * page (normalizeStatus, dedup by uri, the `toots` table) takes it unchanged. The note is checked
 * field by field first, as statuses are (status-schema.ts): a stranger's server may send anything.
 *
 * The note's shape is Misskey's `Packed<'Note'>` (packages/backend/src/models/json-schema/note.ts,
 * `UserLite` in json-schema/user.ts): `id`, `createdAt`, `text` and `cw` (plain MFM text, not HTML,
 * either may be null), `user` {username, host (null: this server), name, isBot}, `replyId`,
 * `renoteId` (+ `renote`), `files`, `tags` (names without `#`), `mentions` (user ids), `poll`,
 * `renoteCount`, `repliesCount`, `reactionCount`, and `uri`/`url` only on notes from other servers.
 * There is no language field.
 */

const KIB = 1024;
const MAX_URL = 4 * KIB;
const MAX_NAME = 2 * KIB;
const MAX_LIST = 10_000;
/**
 * Misskey caps a note at 3000 characters by default (`maxNoteTextLength`) and forks raise it; HTML
 * escaping makes the text up to 5 times longer, which must stay within a status's content bound.
 */
export const MAX_NOTE_TEXT = Math.floor(MAX_CONTENT_BYTES / 5);

const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `is longer than ${max} characters`));
const clipped = (max: number) => v.nullish(v.pipe(v.string(), v.transform((s) => clip(s, max))));
const count = v.pipe(
  v.nullish(v.number(), 0),
  v.transform((n) => (Number.isFinite(n) ? Math.min(2_147_483_647, Math.max(0, Math.trunc(n))) : 0)),
);
const list = v.nullish(v.pipe(v.array(v.unknown()), v.maxLength(MAX_LIST, `has more than ${MAX_LIST} items`)));
const timeText = v.pipe(v.string(), v.maxLength(64, 'is not a timestamp'), v.check((s) => Number.isFinite(Date.parse(s)), 'is not a timestamp'));
const parses = (s: string) => {
  try {
    return /^https?:$/.test(new URL(s).protocol);
  } catch {
    return false;
  }
};
const httpUrl = v.pipe(text(MAX_URL), v.check(parses, 'is not an http(s) URL'));

/** Misskey keeps hosts lower-case and in punycode (`toPuny`); anything else is no host. */
const host = v.pipe(v.string(), v.maxLength(253, 'is not a host name'), v.regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'is not a host name'));

const userSchema = v.object({
  username: v.pipe(text(MAX_NAME), v.minLength(1, 'is empty'), v.regex(/^[^\s@/]+$/, 'is not a user name')),
  host: v.nullish(host),
  name: clipped(MAX_NAME),
  isBot: v.nullish(v.boolean()),
});

const noteSchema = v.object({
  id: statusIdSchema,
  createdAt: timeText,
  text: v.nullish(text(MAX_NOTE_TEXT)),
  cw: clipped(64 * KIB),
  user: userSchema,
  visibility: v.nullish(text(32)),
  replyId: v.nullish(text(64)),
  renoteId: v.nullish(text(64)),
  uri: v.nullish(httpUrl),
  url: v.nullish(httpUrl),
  files: v.nullish(v.pipe(v.array(v.object({ isSensitive: v.nullish(v.boolean()) })), v.maxLength(MAX_LIST, `has more than ${MAX_LIST} items`))),
  fileIds: list,
  tags: v.nullish(v.pipe(v.array(v.pipe(v.string(), v.transform((s) => clip(s, MAX_NAME)))), v.maxLength(MAX_LIST, `has more than ${MAX_LIST} items`))),
  mentions: list,
  poll: v.nullish(v.record(v.string(), v.unknown())),
  renoteCount: count,
  repliesCount: count,
  reactionCount: count,
});

export type CheckedNote = v.InferOutput<typeof noteSchema>;

function reason(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = first.path?.map((p) => String(p.key)).join('.');
  return path ? `${path}: ${first.message}` : first.message;
}

export function checkNote(input: unknown): Checked<CheckedNote> {
  const r = v.safeParse(noteSchema, input, { abortEarly: true });
  return r.success ? { ok: true, value: r.output } : { ok: false, reason: reason(r.issues) };
}

/**
 * A renote with nothing of its own (no text, files or poll) is Misskey's boost. Mastodon's public
 * timelines and streams leave boosts out, so the page does too: it is no new post. A quote (a
 * renote with text) is a post of its own.
 */
export function isPureRenote(note: CheckedNote): boolean {
  return note.renoteId != null && note.text == null && !(note.files?.length || note.fileIds?.length) && note.poll == null;
}

/** Misskey's text is plain text (MFM): made HTML so normalizeStatus's HTML-to-text gives it back unchanged. */
export function textAsHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>');
}

/**
 * The note as the Mastodon status it stands for. `baseUrl` is the Misskey server read: a note with
 * no `user.host` and no `uri` is its own, at `<baseUrl>/notes/<id>` (Misskey's own AP id for it).
 */
export function noteAsStatus(note: CheckedNote, baseUrl: string): MastodonStatus {
  const own = `${baseUrl}/notes/${note.id}`;
  const uri = note.uri ?? own;
  const userHost = note.user.host?.toLowerCase() ?? new URL(baseUrl).host;
  const files = note.files ?? [];
  return {
    id: note.id,
    uri,
    url: note.url ?? uri,
    created_at: note.createdAt,
    edited_at: null,
    // Misskey has no language field: the row says `unknown` (docs/SCHEMA.md).
    language: null,
    content: textAsHtml(note.text ?? ''),
    spoiler_text: note.cw ?? '',
    visibility: note.visibility ?? 'public',
    sensitive: note.cw != null || files.some((f) => f.isSensitive === true),
    replies_count: note.repliesCount,
    reblogs_count: note.renoteCount,
    // Reactions are Misskey's likes; a Mastodon favourite federates to Misskey as one.
    favourites_count: note.reactionCount,
    in_reply_to_id: note.replyId ?? null,
    reblog: null,
    application: null,
    // UserLite has no creation date and no follower count: left out (null, 0), not made up.
    account: {
      id: '',
      username: note.user.username,
      acct: `${note.user.username}@${userHost}`,
      url: '',
      display_name: note.user.name ?? '',
      bot: note.user.isBot === true,
      created_at: null,
      followers_count: 0,
    } as unknown as MastodonAccount,
    tags: (note.tags ?? []).map((name) => ({ name })),
    mentions: note.mentions ?? [],
    media_attachments: files.length ? files : (note.fileIds ?? []),
    poll: note.poll ?? null,
    card: null,
  };
}

/** What the reader does with one note: a status to store, nothing (a boost), or a skip with the reason. */
export type NoteOutcome = { kind: 'status'; status: MastodonStatus } | { kind: 'renote' } | { kind: 'invalid'; reason: string };

export function readNote(input: unknown, baseUrl: string): NoteOutcome {
  const checked = checkNote(input);
  if (!checked.ok) return { kind: 'invalid', reason: checked.reason };
  if (isPureRenote(checked.value)) return { kind: 'renote' };
  return { kind: 'status', status: noteAsStatus(checked.value, baseUrl) };
}
