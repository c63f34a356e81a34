/**
 * The parts of Mastodon's REST/streaming entities that Tootscope reads.
 * Every id is a string: status ids exceed Number.MAX_SAFE_INTEGER.
 * Shapes follow ../shared/fixtures/mastodon and PROTOCOL.md.
 */

export interface MastodonAccount {
  id: string;
  username: string;
  /** `user` for local accounts, `user@domain` for remote ones. */
  acct: string;
  url: string;
  display_name: string;
  bot: boolean;
  created_at: string;
  followers_count: number;
  [extra: string]: unknown;
}

export interface MastodonTag {
  name: string;
  url?: string;
}

export interface MastodonStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  edited_at: string | null;
  language: string | null;
  content: string;
  spoiler_text: string;
  visibility: string;
  sensitive: boolean;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  in_reply_to_id: string | null;
  reblog: MastodonStatus | null;
  /** Present only on posts by the instance's own users. */
  application?: { name: string; website?: string | null } | null;
  account: MastodonAccount;
  tags: MastodonTag[];
  mentions: unknown[];
  media_attachments: unknown[];
  poll: unknown | null;
  card: { title?: string; url?: string; [k: string]: unknown } | null;
  [extra: string]: unknown;
}

/** Events a public stream carries (PROTOCOL.md § Streaming). */
export type StreamEventName = 'update' | 'delete' | 'status.update';

/** A row's channel as text: the public timeline, a half of it, or `#tag` / `#tag/local` (src/core/channel.ts). */
export type StreamChannel = 'public' | 'public/local' | 'public/remote' | `#${string}`;
