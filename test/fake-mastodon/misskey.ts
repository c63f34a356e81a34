/**
 * A Misskey server as the page meets it, built from misskey-dev/misskey's source (read through the
 * code search, December 2026):
 *
 * - NodeInfo links 2.1 and 2.0, CORS on both, `software.name` `misskey` (or a fork's name).
 * - The API is `POST /api/<endpoint>` with a JSON body; the token, if any, is the body's `i`
 *   (`ApiCallService.handleRequest`) or `Authorization: Bearer`. CORS is open (`*`), preflight included.
 *   Errors are `{"error":{message,code,id,kind}}`: a token that does not authenticate is `401`
 *   `AUTHENTICATION_FAILED` with `WWW-Authenticate: Bearer realm="Misskey", error="invalid_token"…`
 *   (`#sendAuthenticationError`); an unknown endpoint is `404` `UNKNOWN_API_ENDPOINT`.
 * - `notes/global-timeline` and `notes/local-timeline` (server/api/endpoints/notes/*.ts): `limit`
 *   1–100 (default 10), `sinceId`/`untilId`; a role without `gtlAvailable` / `ltlAvailable` (the
 *   visitors' base role, for an anonymous request) gets `400` `GTL_DISABLED` / `LTL_DISABLED`.
 *   Paging is `QueryService.makePaginationQuery`: `sinceId` alone sorts ascending (the oldest
 *   notes after it first), anything else descending. The global timeline holds public notes of
 *   every server, the local one only notes whose `user.host` is null.
 * - One WebSocket at `/streaming` (StreamingApiServerService.ts): the token is `Authorization:
 *   Bearer` or, since a browser cannot set headers, `?i=` in the URL; one that does not authenticate
 *   is refused before the upgrade with a bare `401` and `WWW-Authenticate`. Messages are
 *   `{"type":…,"body":…}` (stream/Connection.ts); `{"type":"connect","body":{"channel","id","params"}}`
 *   joins a channel; nothing is answered, and a channel the connection may not have (a
 *   credential-only channel such as `hybridTimeline` on an anonymous socket) is silently not joined.
 *   A timeline channel whose role lacks `gtlAvailable`/`ltlAvailable` joins and then stays silent
 *   (channels/global-timeline.ts `init`). Notes arrive as
 *   `{"type":"channel","body":{"id":<the connect id>,"type":"note","body":<packed note>}}`.
 *   A message that is not JSON is ignored. Keep-alive is WebSocket pings every 60 s.
 * - The `hashtag` channel (stream/channels/hashtag.ts) takes `params.q`, lists of tags (OR of
 *   ANDs), needs no credential and no policy; its REST twin `notes/search-by-tag` takes `tag`.
 * - MiAuth (ApiServerService.ts; frontend pages/miauth.vue): the app sends the person to
 *   `/miauth/<session>?name=…&callback=…&permission=…`; once they accept, the page calls
 *   `miauth/gen-token` and goes to `callback` with `?session=<session>` appended. The app then
 *   `POST /api/miauth/<session>/check`s, which answers `{ok: true, token, user}` once and
 *   `{ok: false}` for an unknown or already fetched session. The fake accepts at once (there is no
 *   person to click), as fake-mastodon's OAuth approves at once.
 * - Deletions never reach a timeline channel: Misskey sends `noteUpdated` `{type:"deleted"}` only to
 *   a socket that subscribed to that one note (`subNote`), which the fake does not model.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenLocal, sendJson, sendText } from './http-util';
import { handleNodeInfo } from './nodeinfo';
import { AidGen, packNote, type MisskeyUser, type NoteInput } from './misskey-notes';

export { noteFromStatus } from './misskey-notes';

type Note = Record<string, unknown>;
type Channel = 'globalTimeline' | 'localTimeline' | { hashtag: string[][] };

export interface FakeMisskey {
  url: string;
  domain: string;
  requests: Record<string, number>;
  stats: { socketsOpened: number; refusedUpgrades: number; tokenVia: string[]; connects: string[]; socketUrls: string[]; miauth: Array<{ session: string; name: string; permission: string }> };
  /** Posts a public note by a local user (or as `input` says), to the timelines and the sockets. */
  publish(input?: Partial<NoteInput>): Note;
  /** Posts anything as a note body, e.g. a malformed one: the server is a stranger's. */
  publishRaw(note: Record<string, unknown>): void;
  /** The visitors' role policies (`gtlAvailable`, `ltlAvailable`). */
  policies: { gtlAvailable: boolean; ltlAvailable: boolean };
  /** Ends every open socket at once, as a restart or a proxy timeout would. */
  dropSockets(): void;
  /** Every well-formed note posted that is a post of its own (no pure renotes), in order. */
  groundTruth(): Note[];
  close(): Promise<void>;
}

const apiError = (message: string, code: string, id: string, kind = 'client') => ({ error: { message, code, id, kind } });
const UNKNOWN_ENDPOINT = apiError('Unknown API endpoint.', 'UNKNOWN_API_ENDPOINT', '2ca3b769-540a-4f08-9dd5-b5a825b6d0f1');
const AUTH_FAILED = apiError('Authentication failed. Please ensure your token is correct.', 'AUTHENTICATION_FAILED', 'b0a7f5f8-dc2f-4171-b91f-de88ad238e14');
const GTL_DISABLED = apiError('Global timeline has been disabled.', 'GTL_DISABLED', '0332fc13-6ab2-4427-ae80-a9fadffd1a6b');
const LTL_DISABLED = apiError('Local timeline has been disabled.', 'LTL_DISABLED', '45a6eb02-7695-4393-b023-dd3be9aaaefd');
const INVALID_PARAM = apiError('Invalid param.', 'INVALID_PARAM', '3d81ceae-475f-4600-b2a8-2bc116157532');

export interface FakeMisskeyOptions {
  name?: string;
  version?: string;
  /** Tokens that authenticate (MiAuth or "access tokens" in settings). */
  tokens?: string[];
  policies?: { gtlAvailable?: boolean; ltlAvailable?: boolean };
  /** A name for the instance's own users' acct; the fake listens on 127.0.0.1 whatever it is. */
  pingMs?: number;
}

interface Socket {
  ws: WebSocket;
  signedIn: boolean;
  channels: Map<string, Channel>;
}

export async function startFakeMisskey(opts: FakeMisskeyOptions = {}): Promise<FakeMisskey> {
  const requests: Record<string, number> = {};
  const stats: FakeMisskey['stats'] = { socketsOpened: 0, refusedUpgrades: 0, tokenVia: [], connects: [], socketUrls: [], miauth: [] };
  /** MiAuth sessions the person accepted: their token, until the app fetched it. */
  const miauthSessions = new Map<string, { token: string; fetched: boolean }>();
  const software = { name: opts.name ?? 'misskey', version: opts.version ?? '2025.4.0' };
  const tokens = new Set(opts.tokens ?? []);
  const policies = { gtlAvailable: opts.policies?.gtlAvailable ?? true, ltlAvailable: opts.policies?.ltlAvailable ?? true };
  const timeline: Note[] = [];
  const truth: Note[] = [];
  const sockets = new Set<Socket>();
  const ids = new AidGen();
  let origin = '';
  let n = 0;
  const users: MisskeyUser[] = Array.from({ length: 12 }, (_, i) => ({ id: `9u${String(i).padStart(8, '0')}`, username: `user${i}`, name: i % 3 ? `User ${i}` : null, host: null, isBot: i === 11 }));

  const cors = { 'Access-Control-Allow-Origin': '*' };
  /** `Authorization: Bearer` first, else the body's (or the URL's) `i`; undefined: anonymous. */
  const tokenOf = (req: IncomingMessage, i: unknown): string | undefined =>
    req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : typeof i === 'string' ? i : undefined;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    if (handleNodeInfo(req, res, path, `http://${req.headers.host}`, { software, users: 1200, localPosts: 50_000, corsOnDocument: true, schemas: ['2.1', '2.0'] }, cors)) return;
    const miauthPage = /^\/miauth\/([^/]+)$/.exec(path);
    if (miauthPage && req.method === 'GET') {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const session = decodeURIComponent(miauthPage[1]!);
      stats.miauth.push({ session, name: q.get('name') ?? '', permission: q.get('permission') ?? '' });
      const token = `mi-${session.slice(0, 8)}-${randomUUID()}`;
      tokens.add(token);
      miauthSessions.set(session, { token, fetched: false });
      const callback = q.get('callback');
      if (!callback) return sendText(res, 200, '<!DOCTYPE html><p>Accepted. You can close this page.</p>', 'text/html; charset=utf-8');
      res.writeHead(302, { Location: `${callback}${callback.includes('?') ? '&' : '?'}session=${encodeURIComponent(session)}` });
      return res.end();
    }
    const miauthCheck = /^\/api\/miauth\/([^/]+)\/check$/.exec(path);
    if (miauthCheck && req.method === 'POST') {
      const found = miauthSessions.get(decodeURIComponent(miauthCheck[1]!));
      if (!found || found.fetched) return sendJson(res, 200, { ok: false }, cors);
      found.fetched = true;
      return sendJson(res, 200, { ok: true, token: found.token, user: { id: users[0]!.id, username: users[0]!.username, host: null } }, cors);
    }
    if (!path.startsWith('/api/')) {
      return sendText(res, 200, '<!DOCTYPE html><html><head><title>Misskey</title></head><body><noscript>JavaScript required</noscript></body></html>', 'text/html; charset=utf-8');
    }
    if (req.method === 'OPTIONS') {
      // @fastify/cors with `origin: '*'` reflects the headers asked for.
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE', 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '' });
      return res.end();
    }
    const endpoint = path.slice('/api/'.length);
    const known = ['notes/global-timeline', 'notes/local-timeline', 'notes/search-by-tag'];
    if (!known.includes(endpoint) || req.method !== 'POST') return sendJson(res, 404, UNKNOWN_ENDPOINT, cors);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        const raw = Buffer.concat(chunks).toString('utf8');
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return sendJson(res, 400, apiError('Invalid JSON.', 'INVALID_JSON', '', 'client'), cors);
      }
      const token = tokenOf(req, body.i);
      if (token !== undefined && !tokens.has(token)) {
        return sendJson(res, 401, AUTH_FAILED, { ...cors, 'WWW-Authenticate': `Bearer realm="Misskey", error="invalid_token", error_description="${AUTH_FAILED.error.message}"` });
      }
      // `notes/search-by-tag` takes `tag` (lower-cased by normalizeForSearch) and needs no policy.
      const channel: Channel = endpoint === 'notes/search-by-tag' ? { hashtag: [[String(body.tag ?? '')]] } : endpoint === 'notes/local-timeline' ? 'localTimeline' : 'globalTimeline';
      if (typeof channel === 'object' && (typeof body.tag !== 'string' || !body.tag)) return sendJson(res, 400, INVALID_PARAM, cors);
      // A signed-in user's role is taken to allow both timelines; the visitors' role is `policies`.
      const allowed = token !== undefined || (channel === 'globalTimeline' ? policies.gtlAvailable : channel === 'localTimeline' ? policies.ltlAvailable : true);
      if (!allowed) return sendJson(res, 400, channel === 'globalTimeline' ? GTL_DISABLED : LTL_DISABLED, cors);
      const limit = body.limit ?? 10;
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) return sendJson(res, 400, INVALID_PARAM, cors);
      const sinceId = typeof body.sinceId === 'string' ? body.sinceId : null;
      const untilId = typeof body.untilId === 'string' ? body.untilId : null;
      let notes = timeline.filter((x) => inChannel(channel, x));
      if (sinceId) notes = notes.filter((x) => String(x.id) > sinceId);
      if (untilId) notes = notes.filter((x) => String(x.id) < untilId);
      notes.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
      if (!(sinceId && !untilId)) notes.reverse();
      sendJson(res, 200, notes.slice(0, limit), cors);
    });
  });

  const inChannel = (channel: Channel, note: Note): boolean => {
    if (channel === 'globalTimeline') return true;
    if (typeof channel === 'object') {
      // stream/channels/hashtag.ts: any of the OR lists whose tags are all on the note.
      const tags = Array.isArray(note.tags) ? note.tags.map((t) => String(t).toLowerCase()) : [];
      return channel.hashtag.some((all) => all.every((t) => tags.includes(t.toLowerCase())));
    }
    const user = note.user as { host?: unknown } | undefined;
    return typeof user === 'object' && user !== null && user.host === null;
  };

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    stats.socketUrls.push(url.pathname + url.search);
    if (url.pathname !== '/streaming') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const token = tokenOf(req, url.searchParams.get('i') ?? undefined);
    stats.tokenVia.push(req.headers.authorization ? 'authorization' : token !== undefined ? 'query' : 'none');
    if (token !== undefined && !tokens.has(token)) {
      stats.refusedUpgrades++;
      socket.write('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="Misskey", error="invalid_token", error_description="Failed to authenticate"\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      stats.socketsOpened++;
      const s: Socket = { ws, signedIn: token !== undefined, channels: new Map() };
      sockets.add(s);
      ws.on('close', () => sockets.delete(s));
      ws.on('message', (data, binary) => {
        if (binary) return;
        let msg: { type?: unknown; body?: { channel?: unknown; id?: unknown; params?: { q?: unknown } } };
        try {
          msg = JSON.parse(data.toString()) as typeof msg;
        } catch {
          return;
        }
        const body = msg.body;
        if (msg.type === 'connect' && typeof body?.id === 'string' && typeof body.channel === 'string') {
          stats.connects.push(body.channel);
          if (body.channel === 'hashtag') {
            // No credential needed; without `q` the channel joins and stays silent.
            const q = body.params?.q;
            if (Array.isArray(q) && q.every((all) => Array.isArray(all) && all.every((t) => typeof t === 'string'))) s.channels.set(body.id, { hashtag: q as string[][] });
            return;
          }
          if (body.channel !== 'globalTimeline' && body.channel !== 'localTimeline') return; // credential-only or unknown: not joined
          // Joined; with the timeline off for this role, `init` returns before listening: silence.
          const on = s.signedIn || (body.channel === 'globalTimeline' ? policies.gtlAvailable : policies.ltlAvailable);
          if (on) s.channels.set(body.id, body.channel);
        } else if (msg.type === 'disconnect' && typeof body?.id === 'string') {
          s.channels.delete(body.id);
        }
      });
    });
  });
  const ping = setInterval(() => {
    for (const s of sockets) s.ws.ping();
  }, opts.pingMs ?? 60_000);

  const send = (note: Note) => {
    timeline.push(note);
    for (const s of sockets) {
      for (const [id, channel] of s.channels) {
        if (inChannel(channel, note)) s.ws.send(JSON.stringify({ type: 'channel', body: { id, type: 'note', body: note } }));
      }
    }
  };

  const listening = await listenLocal(server, () => {
    clearInterval(ping);
    for (const s of sockets) s.ws.terminate();
  });
  origin = listening.url;
  return {
    url: listening.url,
    domain: new URL(listening.url).host,
    requests,
    stats,
    policies,
    publish(input = {}) {
      const i = n++;
      const { id, ms } = ids.next();
      const note = packNote(id, ms, { user: users[i % users.length]!, text: `Note ${i} from the fake Misskey\nwith <two> lines & #fake`, tags: ['fake'], ...input }, origin);
      const pureRenote = note.renoteId != null && note.text == null && !(note.files as unknown[]).length;
      if (!pureRenote) truth.push(note);
      send(note);
      return note;
    },
    publishRaw(note) {
      send(note);
    },
    dropSockets() {
      for (const s of sockets) s.ws.terminate();
    },
    groundTruth: () => [...truth],
    close: listening.close,
  };
}
