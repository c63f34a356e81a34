/**
 * The streaming host's WebSocket side, as Mastodon's streaming/index.js does it: the upgrade is
 * authenticated first (Authorization, else `access_token`, else `Sec-WebSocket-Protocol`, which is
 * how Mastodon's web client sends the token) and refused with a bare HTTP 401 and an
 * `X-Error-Message` header; subscriptions are JSON messages (`{"type":"subscribe","stream":…}`),
 * a refused one answers `{"error":…,"status":…}` on the socket; events are
 * `{"stream":[name(, tag)],"event":…,"payload":"<string>"}`; a message that is not JSON is ignored;
 * a binary one closes the socket (1003); keep-alive is WebSocket pings, which a browser page never sees.
 */

import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MastodonStatus, StreamEventName } from '../../src/core/mastodon';
import { requestId } from './http-util';
import { normalizeTag } from './timeline';
import { canReadStatuses, type TokenRecord, type TokenRegistry } from './tokens';
import type { StreamFilter } from './streaming';
import { flavourSubscribe, flavourUpgrade, key as flavourKey, type WsFlavour } from './ws-flavours';

const PUBLIC = ['public', 'public:media', 'public:local', 'public:local:media', 'public:remote', 'public:remote:media', 'hashtag', 'hashtag:local'];
const PRIVATE = ['user', 'user:notification', 'direct', 'list'];

interface Subscription extends StreamFilter {
  name: string[];
}

interface Session {
  ws: WebSocket;
  /** null: an anonymous socket (Akkoma allows them). */
  token: TokenRecord | null;
  subs: Map<string, Subscription>;
}

export interface WsStreamingOptions {
  tokens: TokenRegistry;
  /** Whether `status` goes to a subscription (the SSE host's rules: channel, access, tag). */
  matches(filter: StreamFilter, status: MastodonStatus): boolean;
  isStalled(): boolean;
  pingMs?: number;
  /** Akkoma and GoToSocial authenticate and answer subscribes their own way (ws-flavours.ts). */
  flavour?: WsFlavour;
}

export class WsStreaming {
  readonly sessions = new Set<Session>();
  opened = 0;
  /** Upgrades refused, with the status sent. */
  readonly refused: number[] = [];
  /** How each upgrade carried its token (`authorization`, `query`, `protocol`, `none`), in order. */
  readonly tokenVia: string[] = [];
  eventsWritten = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly ping: ReturnType<typeof setInterval>;

  constructor(
    server: Server,
    private readonly opts: WsStreamingOptions,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.wss.on('headers', (headers) => headers.push(`X-Request-Id: ${requestId()}`));
    this.ping = setInterval(() => {
      for (const s of this.sessions) if (!opts.isStalled()) s.ws.ping();
    }, opts.pingMs ?? 30_000);
    opts.tokens.onRevoke((t) => {
      // The token's system channel gets `kill`; the server closes the socket.
      for (const s of this.sessions) if (s.token?.id === t.id) s.ws.close();
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://streaming.invalid');
    const flavour = this.opts.flavour ?? 'mastodon';
    if (flavour !== 'mastodon') {
      const up = flavourUpgrade(flavour, req, url, this.opts.tokens);
      this.tokenVia.push(up.via);
      const first = 'token' in up ? flavourSubscribe(flavour, up.token, url.searchParams.get('stream') ?? undefined, { tag: url.searchParams.get('tag') ?? undefined }, () => false, true) : {};
      const refusal = 'refuse' in up ? up.refuse : first.refuseUpgrade ? { status: first.refuseUpgrade, contentType: 'text/plain', body: flavour === 'akkoma' ? '' : (STATUS_CODES[first.refuseUpgrade] ?? '') } : null;
      if (refusal || !('token' in up)) return this.refuse(socket, refusal!.status, refusal!.contentType, refusal!.body);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const session = this.connection(ws, up.token, null);
        if (first.sub) session.subs.set(flavourKey(first.sub), first.sub);
      });
      return;
    }
    const auth = req.headers.authorization;
    const given = auth ? auth.replace(/^Bearer /, '') : (url.searchParams.get('access_token') ?? req.headers['sec-websocket-protocol']);
    this.tokenVia.push(auth ? 'authorization' : url.searchParams.has('access_token') ? 'query' : req.headers['sec-websocket-protocol'] ? 'protocol' : 'none');
    const token = given ? this.opts.tokens.active(given) : undefined;
    if (!token || token.appOnly) {
      const message = given ? 'Invalid access token' : 'Missing access token';
      this.refused.push(401);
      socket.end(
        `HTTP/1.1 401 ${STATUS_CODES[401]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nX-Request-Id: ${requestId()}\r\nX-Error-Message: ${message}\r\n\r\n`,
      );
      socket.once('finish', () => socket.destroy());
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connection(ws, token, url));
  }

  private refuse(socket: Duplex, status: number, contentType: string, body: string): void {
    this.refused.push(status);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.once('finish', () => socket.destroy());
  }

  private connection(ws: WebSocket, token: TokenRecord | null, url: URL | null): Session {
    const session: Session = { ws, token, subs: new Map() };
    this.sessions.add(session);
    this.opened++;
    ws.on('close', () => this.sessions.delete(session));
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'The mastodon streaming server does not support binary messages');
      let json: { type?: unknown; stream?: unknown; tag?: unknown };
      try {
        json = JSON.parse(data.toString('utf8')) as typeof json;
      } catch {
        return;
      }
      const stream = Array.isArray(json.stream) ? json.stream[0] : json.stream;
      const tag = typeof json.tag === 'string' ? json.tag : undefined;
      if (this.opts.flavour && this.opts.flavour !== 'mastodon') {
        if (json.type !== 'subscribe') return; // unsubscribe is not needed by any test yet
        // GoToSocial reads no `tag` from a message.
        const r = flavourSubscribe(this.opts.flavour, session.token, typeof stream === 'string' ? stream : undefined, this.opts.flavour === 'gotosocial' ? {} : { tag }, (k) => session.subs.has(k), false);
        if (r.sub) session.subs.set(flavourKey(r.sub), r.sub);
        if (r.reply) ws.send(r.reply);
        return;
      }
      if (json.type === 'subscribe') this.subscribe(session, String(stream), tag);
      else if (json.type === 'unsubscribe') session.subs.delete(`${String(stream)}:${tag ? normalizeTag(tag) : ''}`);
    });
    const first = url?.searchParams.get('stream');
    if (first) this.subscribe(session, first, url?.searchParams.get('tag') ?? undefined);
    return session;
  }

  private subscribe(session: Session, stream: string, tag: string | undefined): void {
    const refuse = (status: number, error: string) => {
      if (session.ws.readyState === session.ws.OPEN) session.ws.send(JSON.stringify({ error, status }));
    };
    if (!PUBLIC.includes(stream) && !(session.token && canReadStatuses(session.token))) return refuse(401, 'Access token does not have the required scopes');
    if (!PUBLIC.includes(stream) && !PRIVATE.includes(stream)) return refuse(400, 'Unknown stream type');
    if (stream.startsWith('hashtag') && !tag) return refuse(400, 'Missing tag name parameter');
    const key = `${stream}:${tag ? normalizeTag(tag) : ''}`;
    if (session.subs.has(key) || PRIVATE.includes(stream)) return;
    const base = stream.replace(/:media$/, '');
    session.subs.set(key, {
      name: tag ? [stream, tag] : [stream],
      channel: base as StreamFilter['channel'],
      onlyMedia: stream.endsWith(':media'),
      tag: tag ? normalizeTag(tag) : null,
    });
  }

  broadcast(event: StreamEventName, data: string, status: MastodonStatus | null): void {
    if (this.opts.isStalled()) return;
    for (const s of this.sessions) {
      for (const sub of s.subs.values()) {
        if (status && !this.opts.matches(sub, status)) continue;
        s.ws.send(JSON.stringify({ stream: sub.name, event, payload: data }));
        this.eventsWritten++;
      }
    }
  }

  /** A text frame as it is, to every open socket (malformed-frame tests). */
  sendRaw(text: string): void {
    for (const s of this.sessions) s.ws.send(text);
  }

  dropAll(): number {
    const n = this.sessions.size;
    for (const s of this.sessions) s.ws.terminate();
    this.sessions.clear();
    return n;
  }

  async close(): Promise<void> {
    clearInterval(this.ping);
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
