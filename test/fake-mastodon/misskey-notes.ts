/**
 * Notes as a Misskey server packs them (`NoteEntityService.pack`, the `Packed<'Note'>` schema in
 * packages/backend/src/models/json-schema/note.ts, `UserLite` in json-schema/user.ts, read in
 * misskey-dev/misskey through the code search): every key a timeline answer carries, `uri`/`url`
 * only on notes from other servers, `user.host` null for the server's own users. Ids are `aid`
 * (Misskey's default, `IdService` / misc/id/aid.ts): 8 base36 digits of ms since 2000-01-01, then
 * 2 of a counter, so they sort as text in the order they were made.
 */

import type { MastodonStatus } from '../../src/core/mastodon';

const TIME2000 = Date.UTC(2000, 0, 1);

export class AidGen {
  private lastMs = 0;
  private counter = 0;

  next(now = Date.now()): { id: string; ms: number } {
    const ms = Math.max(now, this.lastMs);
    if (ms === this.lastMs) this.counter++;
    else this.counter = 0;
    // 36^2 notes per ms: past that, move on to the next ms, as time must only go forward.
    if (this.counter >= 36 * 36) return this.next(ms + 1);
    this.lastMs = ms;
    return { id: (ms - TIME2000).toString(36).padStart(8, '0') + this.counter.toString(36).padStart(2, '0'), ms };
  }
}

export interface MisskeyUser {
  id: string;
  username: string;
  name: string | null;
  host: string | null;
  isBot?: boolean;
}

/** `Packed<'UserLite'>`, as a note carries it. */
function userLite(u: MisskeyUser, origin: string): Record<string, unknown> {
  return {
    id: u.id,
    name: u.name,
    username: u.username,
    host: u.host,
    avatarUrl: `${origin}/identicon/${u.username}@${u.host ?? 'local'}`,
    avatarBlurhash: null,
    avatarDecorations: [],
    isBot: u.isBot ?? false,
    isCat: false,
    emojis: {},
    onlineStatus: 'unknown',
    badgeRoles: [],
  };
}

export interface NoteInput {
  user: MisskeyUser;
  text: string | null;
  cw?: string | null;
  replyId?: string | null;
  renoteId?: string | null;
  files?: Array<{ isSensitive: boolean }>;
  tags?: string[];
  /** A note from another server: its ActivityPub id and page, and when it was posted there. */
  uri?: string;
  createdAt?: string;
  url?: string;
}

/** One packed note. `origin` is the fake's own URL (for file and avatar URLs). */
export function packNote(id: string, ms: number, n: NoteInput, origin: string): Record<string, unknown> {
  const files = (n.files ?? []).map((f, i) => ({
    id: `${id}f${i}`,
    createdAt: new Date(ms).toISOString(),
    name: `image${i}.webp`,
    type: 'image/webp',
    md5: '0'.repeat(32),
    size: 1234,
    isSensitive: f.isSensitive,
    blurhash: null,
    properties: { width: 640, height: 480 },
    url: `${origin}/files/${id}-${i}`,
    thumbnailUrl: null,
    comment: null,
    folderId: null,
    userId: n.user.id,
    user: null,
  }));
  return {
    id,
    createdAt: n.createdAt ?? new Date(ms).toISOString(),
    userId: n.user.id,
    user: userLite(n.user, origin),
    text: n.text,
    cw: n.cw ?? null,
    visibility: 'public',
    localOnly: false,
    reactionAcceptance: null,
    renoteCount: 0,
    repliesCount: 0,
    reactionCount: 0,
    reactions: {},
    reactionEmojis: {},
    ...(n.tags?.length ? { tags: n.tags } : {}),
    fileIds: files.map((f) => f.id),
    files,
    replyId: n.replyId ?? null,
    renoteId: n.renoteId ?? null,
    clippedCount: 0,
    ...(n.uri ? { uri: n.uri, url: n.url ?? n.uri } : {}),
  };
}

/** A Mastodon status that federated to the Misskey server: the same post, a note of its own there. */
export function noteFromStatus(s: MastodonStatus): NoteInput {
  const host = new URL(s.uri).host;
  return {
    user: { id: `u-${s.account.username}@${host}`, username: s.account.username, name: s.account.display_name || null, host },
    // Misskey keeps a remote post's text as MFM it made from the HTML; plain text is close enough here.
    text: s.content.replace(/<[^>]*>/g, ''),
    cw: s.spoiler_text || null,
    tags: s.tags.map((t) => t.name),
    uri: s.uri,
    url: s.url ?? s.uri,
    createdAt: s.created_at,
  };
}
