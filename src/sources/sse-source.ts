import { createParser } from 'eventsource-parser';
import type { StreamChannel } from '../core/mastodon';
import { channelOf, ssePath } from '../core/channel';
import { EventLoopTurns } from './event-loop';
import { RedirectRefusedError } from './http-guard';
import { reconnectLoop } from './reconnect-loop';
import { StreamingReader } from './streaming-reader';
import { HttpError, httpErrorFrom, type SourceCallbacks } from './source';
import { StreamCore } from './stream-core';

/** Heartbeats come every 15 s; three missed mean the connection is dead (issue: no byte for 45 s). */
export const WATCHDOG_MS = 45_000;

/**
 * One event is one status: 1.5–4 KB of JSON in practice. 8 Mi characters still passes a toot with
 * a 5 MB content field, but an event that never ends (no newline for 100 MB) is cut off there
 * instead of growing eventsource-parser's buffer without bound.
 */
export const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export interface SseOptions {
  baseUrl: string;
  streamingBase: string;
  channel: StreamChannel;
  token: string;
  /**
   * Highest status id the collector has accepted from this instance: where a backfill starts.
   * Asked at every (re)connect, so it covers what other sources and earlier runs brought in.
   */
  lastId(): string | null;
  watchdogMs?: number;
  /** How often the stream is compared with the REST timeline (default 60 s; 0: never). */
  reconcileMs?: number;
}

/**
 * Mastodon's public stream over `fetch` (so the status code and the server's reason are readable,
 * which EventSource hides) with the token in the Authorization header. There is no resume in
 * Mastodon's stream: after every (re)connect, REST `min_id` paging fills the gap.
 */
export class SseSource extends StreamingReader {
  /** Backfill, reconciliation and event dispatch, shared with WsSource; kept across reconnects. */
  private readonly core: StreamCore;
  constructor(
    private readonly opts: SseOptions,
    private readonly cb: SourceCallbacks,
  ) {
    super();
    this.core = new StreamCore(opts, cb);
  }

  protected run(signal: AbortSignal): Promise<void> {
    return reconnectLoop(signal, this.cb, (onOpen) => this.connect(signal, onOpen), (err) => {
      if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 400)) {
        return { state: 'needs-sign-in', reason: `${err.status}: ${err.reason}` };
      }
      // A redirect elsewhere comes back on every retry: stop, say why (see RedirectRefusedError).
      if (err instanceof RedirectRefusedError) return { state: 'error', reason: err.message };
      return null;
    });
  }

  /** Resolves when the stream ended or was stopped; rejects on a failed or broken connection. */
  private async connect(outer: AbortSignal, onOpen: () => void): Promise<void> {
    const conn = new AbortController();
    const stopConn = () => conn.abort(outer.reason);
    outer.addEventListener('abort', stopConn, { once: true });
    const watchdogMs = this.opts.watchdogMs ?? WATCHDOG_MS;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const feedDog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => conn.abort(new Error(`no data for ${Math.round(watchdogMs / 1000)} s`)), watchdogMs);
    };
    try {
      // The watchdog runs from the request on: a host that accepts the connection and never sends
      // headers is as dead as one that stops sending heartbeats.
      feedDog();
      const url = `${this.opts.streamingBase}/api/v1/streaming/${ssePath(channelOf(this.opts.channel))}`;
      const res = await fetch(url, {
        headers: { Authorization: `Bearer ${this.opts.token}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: conn.signal,
      });
      // The browser dropped the token on a cross-origin redirect, but what the other origin streams
      // is not this instance's: never read it.
      if (res.redirected && new URL(res.url).origin !== new URL(url).origin) {
        throw new RedirectRefusedError(`the stream of ${new URL(url).host} redirected to ${new URL(res.url).host}; refused: only the instance's own streaming host is read`);
      }
      if (!res.ok) throw await httpErrorFrom(res);
      if (!res.body) throw new Error('the stream has no body');
      feedDog();
      onOpen();
      // Events that arrive while the gap is being filled are kept; dedup by uri makes overlap harmless.
      await this.core.backfill(conn.signal);
      this.cb.onState({ state: 'streaming' });
      void this.core.reconcileEvery(conn.signal);
      const parser = createParser({
        onEvent: (e) => this.core.dispatch(e.event ?? 'message', e.data),
        onError: (e) => {
          if (e.type === 'max-buffer-size-exceeded') {
            conn.abort(new Error(`an event longer than ${MAX_EVENT_CHARS / (1024 * 1024)} M characters; cut off`));
          } else this.cb.onWarning(`unreadable stream data skipped: ${e.message}`);
        },
        maxBufferSize: MAX_EVENT_CHARS,
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const turns = new EventLoopTurns();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        feedDog();
        parser.feed(value);
        await turns.maybeYield();
      }
    } catch (err) {
      if (outer.aborted) return;
      if (conn.signal.aborted && conn.signal.reason instanceof Error) throw conn.signal.reason;
      throw err;
    } finally {
      clearTimeout(watchdog);
      outer.removeEventListener('abort', stopConn);
      // Whatever ended this attempt (a failed backfill, a 429, the watchdog), the socket goes with it:
      // a leaked stream would count against the browser's per-host connection limit.
      if (!conn.signal.aborted) conn.abort(new DOMException('connection closed', 'AbortError'));
    }
  }
}
