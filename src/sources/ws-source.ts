import { SocketSession } from './socket-session';
import { MAX_EVENT_CHARS } from './sse-source';
import { reconnectLoop } from './reconnect-loop';
import { StreamingReader } from './streaming-reader';
import { HttpError, type SourceCallbacks } from './source';
import { StreamCore, type StreamCoreOptions } from './stream-core';
import { fetchPage, timelineUrl } from './timeline-pager';
import { channelOf, streamName, subscribeMessage, wsQuery } from '../core/channel';

/** The browser's WebSocket, or (in Node tests) the `ws` package's, which has the same shape. */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface WsOptions extends StreamCoreOptions {
  /** `https://streaming.host` (discovery's), turned back into `wss://`. */
  streamingBase: string;
  watchdogMs?: number;
  webSocket?: WebSocketCtor;
}


/** The server refused the subscription (`{"error":…,"status":…}` on the socket). */
class SubscribeRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Mastodon's streaming API over one WebSocket (`/api/v1/streaming`): what Akkoma, Pleroma and
 * GoToSocial offer, and Mastodon too. The token goes in `Sec-WebSocket-Protocol`, as Mastodon's web
 * client sends it, never in the URL. Backfill, reconciliation and dispatch are SseSource's (StreamCore).
 */
export class WsSource extends StreamingReader {
  private readonly core: StreamCore;

  constructor(
    private readonly opts: WsOptions,
    private readonly cb: SourceCallbacks,
  ) {
    super();
    this.core = new StreamCore(opts, cb);
  }

  protected run(signal: AbortSignal): Promise<void> {
    return reconnectLoop(signal, this.cb, (onOpen) => this.connect(signal, onOpen), (err) => {
      if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 422)) return { state: 'needs-sign-in', reason: `${err.status}: ${err.reason}` };
      if (err instanceof SubscribeRefused) {
        // A refusal is the server's considered answer and would repeat on every retry.
        if (err.status === 401) return { state: 'needs-sign-in', reason: `${err.status}: ${err.message}` };
        return { state: 'error', reason: `the server refused the ${streamName(channelOf(this.opts.channel))} stream: ${err.message}` };
      }
      return null;
    });
  }

  private wsUrl(): string {
    return `${this.opts.streamingBase.replace(/^http(s?):/i, 'ws$1:')}/api/v1/streaming${wsQuery(channelOf(this.opts.channel))}`;
  }

  /** Returns when stopped; rejects on a failed or broken connection. */
  private async connect(outer: AbortSignal, onOpen: () => void): Promise<void> {
    const host = new URL(this.opts.streamingBase).host;
    const session = new SocketSession({ host, watchdogMs: this.opts.watchdogMs, outer });
    const signal = session.signal;
    try {
      const Ctor = this.opts.webSocket ?? WebSocket;
      let ws: WebSocket;
      try {
        // No token (an Akkoma's public stream): no subprotocol, as an empty one is not allowed.
        ws = this.opts.token ? new Ctor(this.wsUrl(), this.opts.token) : new Ctor(this.wsUrl());
      } catch (err) {
        // A token with characters a subprotocol may not hold: no server would take it.
        throw new HttpError(401, `the token cannot be sent to ${host} (${err instanceof Error ? err.message : String(err)})`);
      }
      const opened = await session.open(ws);
      if (signal.aborted) return;
      if (!opened) {
        // A browser hides why an upgrade failed; a refused token shows on a REST request with it.
        await this.probeToken(signal);
        throw new Error(`the WebSocket to ${host} could not be opened`);
      }
      onOpen();
      const channel = channelOf(this.opts.channel);
      if (channel.kind !== 'hashtag') session.send(JSON.stringify(subscribeMessage(channel))); // a hashtag is in the URL
      // Messages meanwhile wait in the queue, as SSE bytes wait in the stream, until the gap is filled.
      await this.core.backfill(signal);
      this.cb.onState({ state: 'streaming' });
      void this.core.reconcileEvery(signal);
      await session.pump((data) => this.handle(data));
    } catch (err) {
      if (outer.aborted) return;
      throw err;
    } finally {
      session.close();
    }
  }

  private async probeToken(signal: AbortSignal): Promise<void> {
    try {
      await fetchPage(timelineUrl(this.opts.baseUrl, this.opts.channel, { limit: '1' }), this.opts.token, signal);
    } catch (err) {
      // 422: Mastodon's "requires an authenticated user", what an anonymous socket's probe meets
      // where the timeline is not public: the socket was refused for want of a token.
      if (err instanceof HttpError && (err.status === 401 || err.status === 403 || (!this.opts.token && err.status === 422))) throw err;
      // Anything else: the REST side has its own trouble; the WebSocket is retried as usual.
    }
  }

  /** `{"result":"error","type":"subscribe","error":"unauthorized"|"bad_topic"}` is a refusal; success says nothing. */
  private respond(payload: unknown): void {
    type Answer = { result?: unknown; type?: unknown; error?: unknown } | null;
    let answer: Answer = null;
    try {
      answer = typeof payload === 'string' ? (JSON.parse(payload) as Answer) : null;
    } catch {
      answer = null; // not JSON: nothing to act on
    }
    if (answer?.type !== 'subscribe' || answer.result !== 'error') return;
    const error = typeof answer.error === 'string' ? answer.error.slice(0, 80) : 'refused';
    throw new SubscribeRefused(error === 'unauthorized' ? 401 : 400, error);
  }

  /** One text message: an event frame, a refused subscription, or something to skip. */
  private handle(data: unknown): void {
    if (typeof data !== 'string') return this.cb.onWarning('a binary WebSocket message skipped');
    if (data.length > MAX_EVENT_CHARS) return this.cb.onWarning(`a WebSocket message longer than ${MAX_EVENT_CHARS / (1024 * 1024)} M characters skipped`);
    let frame: { event?: unknown; payload?: unknown; error?: unknown; status?: unknown };
    try {
      frame = JSON.parse(data) as typeof frame;
    } catch {
      return this.cb.onWarning(`a WebSocket message that is not JSON skipped: ${data.slice(0, 80)}`);
    }
    if (typeof frame !== 'object' || frame === null) return this.cb.onWarning(`an unreadable WebSocket message skipped: ${data.slice(0, 80)}`);
    if (typeof frame.error === 'string') {
      throw new SubscribeRefused(typeof frame.status === 'number' ? frame.status : 400, frame.error);
    }
    if (typeof frame.event !== 'string') return;
    // Akkoma and Pleroma answer every subscribe, a refusal included, as an event of their own.
    if (frame.event === 'pleroma:respond') return this.respond(frame.payload);
    // Mastodon sends the payload as a JSON string (ids stay exact); a server sending an object gets it re-encoded.
    const payload = typeof frame.payload === 'string' ? frame.payload : JSON.stringify(frame.payload ?? null);
    this.core.dispatch(frame.event, payload);
  }
}
