/**
 * The streaming host, behaving like Mastodon's `streaming/index.js` over SSE: the same check
 * order (channel, then token, then scopes), the same error bodies, the same headers and framing
 * (`:)` first, `event:`/`data:` written as two chunks, `:thump` heartbeats), no ids, no resume.
 */

import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Rng } from '../../src/core/demo/random';
import type { MastodonStatus, StreamEventName } from '../../src/core/mastodon';
import { requestId, streamingTruthy, accessToken } from './http-util';
import { hasMedia, isLocalStatus, normalizeTag } from './timeline';
import { canReadStatuses, type TokenRecord, type TokenRegistry } from './tokens';

export type LiveFeedAccess = 'public' | 'authenticated' | 'disabled';

type Channel = 'public' | 'public:local' | 'public:remote' | 'hashtag' | 'hashtag:local';

/** What decides whether a status goes to a stream (shared with the WebSocket side). */
export interface StreamFilter {
  channel: Channel;
  onlyMedia: boolean;
  tag: string | null;
}

interface OpenStream {
  res: ServerResponse;
  channel: Channel;
  onlyMedia: boolean;
  tag: string | null;
  token: TokenRecord;
  heartbeat: ReturnType<typeof setInterval>;
}

export interface StreamingHostOptions {
  tokens: TokenRegistry;
  heartbeatMs: number;
  heartbeatStyle: '4.6' | '4.2';
  feedAccess: () => { local: LiveFeedAccess; remote: LiveFeedAccess };
  countRequest: (path: string) => void;
  /** Seeds the choice of dropped events (see `dropPercent`). */
  seed: number;
}

function channelFromPath(path: string): Channel | undefined {
  switch (path) {
    case '/api/v1/streaming/public':
      return 'public';
    case '/api/v1/streaming/public/local':
      return 'public:local';
    case '/api/v1/streaming/public/remote':
      return 'public:remote';
    case '/api/v1/streaming/hashtag':
      return 'hashtag';
    case '/api/v1/streaming/hashtag/local':
      return 'hashtag:local';
    default:
      return undefined;
  }
}

export class StreamingHost {
  readonly server: Server;
  readonly streams = new Set<OpenStream>();
  /** Stop writing (events and heartbeats) while keeping sockets open. */
  stalled = false;
  failNext: { count: number; status: number } | null = null;
  /** Stream requests answer 302 to this origin, same path and query (null: off). */
  redirectTo: string | null = null;
  opened = 0;
  /** Events written to streams (one per stream it reached), raw writes excluded. */
  eventsWritten = 0;
  /**
   * Share (0–100) of `update`/`status.update` events silently not sent, per stream. The real server
   * checks blocks and mutes for each such event on a public channel with its own database
   * connection; when the pool is exhausted it logs the error and returns, so the event is lost
   * while the stream and its heartbeats go on (streaming/index.js, `streamFrom`). Deletes skip
   * that check and always go out. The choice is drawn from the seed, one draw per event and stream.
   */
  dropPercent = 0;
  /** Events lost to `dropPercent` (one per stream they would have reached). */
  eventsDropped = 0;
  private readonly dropRng: Rng;

  constructor(private readonly opts: StreamingHostOptions) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.dropRng = new Rng(`stream-drops:${opts.seed}`);
    opts.tokens.onRevoke((t) => {
      // Mastodon publishes `kill` on the token's system channel; the server then ends the response.
      for (const s of this.streams) if (s.token.id === t.id) s.res.end();
    });
  }

  /** Sends an event to every open stream whose channel the status belongs to (all, for null). */
  broadcast(event: StreamEventName, data: string, status: MastodonStatus | null): void {
    if (this.stalled) return;
    const access = this.opts.feedAccess();
    for (const s of this.streams) {
      if (status && !this.matches(s, status, access)) continue;
      if (event !== 'delete' && this.dropPercent > 0 && this.dropRng.next() * 100 < this.dropPercent) {
        this.eventsDropped++;
        continue;
      }
      // Two writes, as the real server does: a client must cope with an event split across chunks.
      s.res.write(`event: ${event}\n`);
      s.res.write(`data: ${data}\n\n`);
      this.eventsWritten++;
    }
  }

  sendRaw(text: string): void {
    for (const s of this.streams) s.res.write(text);
  }

  /**
   * `prefix`, then `x` for `bytes` more with no newline: one event that never ends. Written with
   * backpressure, stopping when the client hangs up; resolves with the bytes each stream took.
   */
  sendEndless(prefix: string, bytes: number): Promise<number[]> {
    const chunk = 'x'.repeat(65_536);
    return Promise.all(
      [...this.streams].map(
        (s) =>
          new Promise<number>((resolve) => {
            let sent = 0;
            let closed = false;
            s.res.once('close', () => {
              closed = true;
              resolve(sent);
            });
            s.res.write(prefix);
            const pump = () => {
              while (!closed && sent < bytes) {
                sent += chunk.length;
                if (!s.res.write(chunk)) return void s.res.once('drain', pump);
              }
              if (!closed) resolve(sent);
            };
            pump();
          }),
      ),
    );
  }

  /** Destroys every open stream's socket; returns how many there were. */
  dropAll(): number {
    let n = 0;
    for (const s of this.streams) {
      clearInterval(s.heartbeat);
      s.res.socket?.destroy();
      n++;
    }
    // Forget them now: 'close' comes a tick later, and a publish in between must not count as delivered.
    this.streams.clear();
    return n;
  }

  matches(s: StreamFilter, status: MastodonStatus, access = this.opts.feedAccess()): boolean {
    const local = isLocalStatus(status);
    if (s.onlyMedia && !hasMedia(status)) return false;
    switch (s.channel) {
      case 'public':
        // An admin's "disabled" live feed silently drops that side of the stream.
        return (local ? access.local : access.remote) !== 'disabled';
      case 'public:local':
        return local && access.local !== 'disabled';
      case 'public:remote':
        return !local && access.remote !== 'disabled';
      case 'hashtag':
      case 'hashtag:local':
        if (s.channel === 'hashtag:local' && !local) return false;
        return status.tags.some((t) => normalizeTag(t.name) === s.tag);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://streaming.invalid');
    this.opts.countRequest(url.pathname);
    res.setHeader('X-Powered-By', 'Express');
    if (req.method === 'OPTIONS') return this.preflight(req, res);
    res.setHeader('X-Request-Id', requestId());
    res.setHeader('Access-Control-Allow-Origin', '*');

    if (url.pathname === '/api/v1/streaming/health') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('OK');
      return;
    }
    const fail = (status: number, error: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error }));
    };
    if (this.redirectTo) {
      // A proxy in front of the streaming server sending the client elsewhere (the token stays behind).
      res.writeHead(302, { Location: `${this.redirectTo}${url.pathname}${url.search}`, 'Content-Length': '0' });
      return void res.end();
    }
    const channel = channelFromPath(url.pathname);
    if (!channel) return fail(400, 'Unknown channel requested');
    if (this.failNext && this.failNext.count > 0) {
      this.failNext.count--;
      return fail(this.failNext.status, STATUS_CODES[this.failNext.status] ?? 'Error');
    }
    const given = accessToken(req, url);
    if (!given) return fail(401, 'Missing access token');
    // The server looks tokens up joined to their user: an app-only token has none, so it is "invalid".
    const token = this.opts.tokens.active(given);
    if (!token || token.appOnly) return fail(401, 'Invalid access token');
    if (!canReadStatuses(token)) return fail(401, 'Access token does not have the required scopes');
    if (req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><pre>Cannot ${req.method} ${url.pathname}</pre>`);
      return;
    }
    const tagParam = url.searchParams.get('tag');
    if (channel.startsWith('hashtag') && !tagParam) return fail(400, 'Missing tag name parameter');
    this.open(req, res, {
      channel,
      onlyMedia: channel.startsWith('public') && streamingTruthy(url.searchParams.get('only_media')),
      tag: tagParam ? normalizeTag(tagParam) : null,
      token,
    });
  }

  /** The `cors` package's defaults, which the streaming server uses: reflect the asked headers. */
  private preflight(req: IncomingMessage, res: ServerResponse): void {
    const asked = req.headers['access-control-request-headers'];
    res.writeHead(204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
      Vary: 'Access-Control-Request-Headers',
      ...(asked ? { 'Access-Control-Allow-Headers': asked } : {}),
      'Content-Length': '0',
    });
    res.end();
  }

  private open(req: IncomingMessage, res: ServerResponse, s: Omit<OpenStream, 'res' | 'heartbeat'>): void {
    // Header order and values as in sse-public-capture.headers; Node adds Date, Connection and
    // Keep-Alive after these, as Express does on the real server.
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Transfer-Encoding', 'chunked');
    res.writeHead(200);
    res.write(':)\n');
    const beat = this.opts.heartbeatStyle === '4.2' ? ':thump\n' : ':thump\n\n';
    const heartbeat = setInterval(() => {
      if (!this.stalled) res.write(beat);
    }, this.opts.heartbeatMs);
    const stream: OpenStream = { ...s, res, heartbeat };
    this.streams.add(stream);
    this.opened++;
    const done = () => {
      clearInterval(heartbeat);
      this.streams.delete(stream);
    };
    res.on('close', done);
    req.on('close', done);
  }

  async close(): Promise<void> {
    for (const s of this.streams) {
      clearInterval(s.heartbeat);
      s.res.socket?.destroy();
    }
    this.streams.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
