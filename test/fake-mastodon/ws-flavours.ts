/**
 * How Akkoma, Pleroma and GoToSocial answer on `/api/v1/streaming` where they differ from Mastodon
 * (ws-streaming.ts). Read from their source; docs/FEDIVERSE-STREAMING.md cites the files.
 *
 * Akkoma (its cowboy `websocket_handler.ex` and `streamer.ex`):
 * - token from `?access_token=`, else `Sec-WebSocket-Protocol`; none is anonymous and allowed; a
 *   token it does not know answers the upgrade `401` with an empty body; a `?stream=` it does not
 *   know `404`. No `?stream=` at all opens Mastodon's multi-stream socket (`:multi`).
 * - every public stream (`public`, `public:local`, their `:media`, `hashtag` with `tag`) is open to
 *   anonymous sockets; user streams need a user.
 * - a subscribe message is looked up with no parameters, so `hashtag` (which needs `tag`) can only
 *   be had from the URL; a subscribe it cannot grant is logged and never answered.
 * Pleroma (2.6 on, `Phoenix.Socket.Transport`): the same topics, but `Sec-WebSocket-Protocol`
 * first, refusals `401 Unauthorized` / `404 Not Found` with those words, and every subscribe is
 * answered: `{"event":"pleroma:respond","payload":"{\"result\":…,\"type\":\"subscribe\"(,\"error\":\"bad_topic\"|\"unauthorized\")}"}`,
 *   its parameters (`tag`) read from the message.
 * GoToSocial (internal/api/client/streaming/stream.go, internal/processing/stream/authorize.go,
 * internal/stream/stream.go):
 * - token from `?access_token=`, else `Sec-Websocket-Protocol`, else `Authorization`; none, an
 *   unknown token or one without a user answers the upgrade with 401 and `{"error":"Unauthorized…"}`:
 *   no anonymous streaming at all.
 * - subscribe messages are read as `{type, stream, list}` only: a stream outside its list of status
 *   timelines (`public`, `public:local`, `user`, `direct`, `list`) is ignored without an answer,
 *   so `hashtag` and `public:remote` cannot be subscribed over the socket (a hashtag only as the
 *   URL's `?stream=hashtag&tag=`); nothing is ever answered to a subscribe.
 */

import type { IncomingMessage } from 'node:http';
import { canReadStatuses, type TokenRecord, type TokenRegistry } from './tokens';
import type { StreamFilter } from './streaming';
import { normalizeTag } from './timeline';

export type WsFlavour = 'mastodon' | 'akkoma' | 'pleroma' | 'gotosocial';

export type Upgrade =
  | { via: string; token: TokenRecord | null }
  | { via: string; refuse: { status: number; contentType: string; body: string } };

export interface FlavourSub extends StreamFilter {
  name: string[];
}

/** What a subscribe (message or `?stream=`) gives: a subscription, an answer frame, both or neither. */
export interface SubscribeResult {
  sub?: FlavourSub;
  reply?: string;
  /** At the upgrade: refuse it with this status instead. */
  refuseUpgrade?: number;
}

const AKKOMA_PUBLIC = ['public', 'public:local', 'public:media', 'public:local:media'];
const AKKOMA_USER = ['user', 'user:notification', 'direct', 'user:pleroma_chat'];
const GTS_TIMELINES = ['public:local', 'public', 'user', 'direct', 'list'];

const refuse = (status: number, contentType: string, body: string) => ({ status, contentType, body });

export function flavourUpgrade(flavour: Exclude<WsFlavour, 'mastodon'>, req: IncomingMessage, url: URL, tokens: TokenRegistry): Upgrade {
  const protocol = req.headers['sec-websocket-protocol'];
  const query = url.searchParams.get('access_token');
  const bearer = req.headers.authorization?.replace(/^Bearer /, '');
  if (flavour !== 'gotosocial') {
    const given = (flavour === 'akkoma' ? (query ?? protocol) : (protocol ?? query)) ?? null;
    const via = given === null ? 'none' : given === protocol ? 'protocol' : 'query';
    if (given === null) return { via, token: null };
    const token = tokens.active(given);
    return token && !token.appOnly ? { via, token } : { via, refuse: refuse(401, 'text/plain', flavour === 'akkoma' ? '' : 'Unauthorized') };
  }
  const given = query || protocol || bearer || '';
  const via = query ? 'query' : protocol ? 'protocol' : bearer ? 'authorization' : 'none';
  const json = 'application/json; charset=utf-8';
  if (!given) return { via, refuse: refuse(401, json, JSON.stringify({ error: 'Unauthorized: no access token' })) };
  const token = tokens.active(given);
  return token && !token.appOnly ? { via, token } : { via, refuse: refuse(401, json, JSON.stringify({ error: 'Unauthorized' })) };
}

const respond = (result: string, error?: string) =>
  JSON.stringify({ event: 'pleroma:respond', payload: JSON.stringify({ result, type: 'subscribe', ...(error ? { error } : {}) }) });

function filter(stream: string, tag: string | null, name: string[]): FlavourSub {
  const base = stream.replace(/:media$/, '') as StreamFilter['channel'];
  return { name, channel: base, onlyMedia: stream.endsWith(':media'), tag: tag ? normalizeTag(tag) : null };
}

/**
 * A subscribe on `flavour`; `atUpgrade` for the URL's `?stream=`. `params` holds the message's (or
 * query's) other fields: `tag`. `subscribed` says whether the session holds it.
 */
export function flavourSubscribe(
  flavour: Exclude<WsFlavour, 'mastodon'>,
  token: TokenRecord | null,
  stream: string | undefined,
  params: { tag?: string },
  subscribed: (key: string) => boolean,
  atUpgrade: boolean,
): SubscribeResult {
  if (flavour === 'gotosocial') {
    if (!stream) return {};
    // The URL's `?stream=` takes `tag`; a message has no tag field.
    if (atUpgrade && (stream === 'hashtag' || stream === 'hashtag:local') && params.tag) {
      return { sub: filter(stream, params.tag, [stream, params.tag]) };
    }
    if (!GTS_TIMELINES.includes(stream) || !stream.startsWith('public')) return {};
    return { sub: filter(stream, null, [stream]) };
  }
  // Akkoma and Pleroma: Streamer.get_topic, then the socket's answer (Pleroma's only).
  if (stream === undefined && atUpgrade) return {};
  const tag = flavour === 'akkoma' && !atUpgrade ? undefined : params.tag;
  let sub: FlavourSub | null = null;
  let error: 'bad_topic' | 'unauthorized' | null = null;
  if (stream && AKKOMA_PUBLIC.includes(stream)) sub = filter(stream, null, [stream]);
  else if (stream === 'hashtag' && tag) sub = filter('hashtag', tag, ['hashtag', tag]);
  // `public:remote` needs `instance` (one server's posts); the app never sends one, so it is not modelled.
  else if (stream && (AKKOMA_USER.includes(stream) || stream === 'list')) error = 'unauthorized';
  else error = 'bad_topic';
  if (atUpgrade) {
    if (sub) return { sub };
    // A signed-in socket's user streams are not modelled: only public posts are published here.
    if (error === 'unauthorized' && token && canReadStatuses(token)) return {};
    return { refuseUpgrade: error === 'unauthorized' ? 401 : 404 };
  }
  const answer = (r: string, e?: string) => (flavour === 'pleroma' ? respond(r, e) : undefined);
  if (!sub) {
    const granted = error === 'unauthorized' && token && canReadStatuses(token);
    const reply = granted ? answer('success') : answer('error', error!);
    return reply ? { reply } : {};
  }
  if (subscribed(key(sub))) return flavour === 'pleroma' ? { reply: respond('ignored') } : {};
  const reply = answer('success');
  return reply ? { sub, reply } : { sub };
}

export const key = (s: FlavourSub) => s.name.join(':');
