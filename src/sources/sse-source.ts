import { createParser } from 'eventsource-parser';
import type { MastodonStatus, StreamChannel } from '../core/mastodon';
import { compareIds, maxId } from '../core/status-id';
import { nestsDeeperThan } from '../core/json-depth';
import { backoffDelay } from './backoff';
import { EventLoopTurns } from './event-loop';
import { RedirectRefusedError } from './http-guard';
import { RECONCILE_MS, SETTLE_MS, StreamLedger } from './reconcile';
import { ReconcileRounds } from './reconcile-round';
import { HttpError, httpErrorFrom, rateLimitWait, sleep, type Source, type SourceCallbacks } from './source';
import { fetchPage, timelineUrl, walkNewer } from './timeline-pager';

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
export class SseSource implements Source {
  private abort: AbortController | null = null;
  /** What the stream delivered against the timeline; kept across reconnects, null when off. */
  private readonly ledger: StreamLedger | null;
  private readonly rounds: ReconcileRounds | null;
  constructor(
    private readonly opts: SseOptions,
    private readonly cb: SourceCallbacks,
  ) {
    const every = opts.reconcileMs ?? RECONCILE_MS;
    // A status gets until the next round to arrive on the stream, at most SETTLE_MS.
    this.ledger = every > 0 ? new StreamLedger({ settleMs: Math.min(every, SETTLE_MS) }) : null;
    this.rounds = this.ledger && new ReconcileRounds(this.ledger, opts);
  }

  start(): void {
    this.stop();
    const abort = new AbortController();
    this.abort = abort;
    void this.run(abort.signal);
  }

  stop(): void {
    this.abort?.abort(new DOMException('stopped', 'AbortError'));
    this.abort = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        this.cb.onState({ state: 'connecting' });
        const opened = await this.connect(signal, () => {
          attempt = 0;
        });
        if (!opened) return;
        throw new Error('the stream ended');
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 400)) {
          this.cb.onState({ state: 'needs-sign-in', reason: `${err.status}: ${err.reason}` });
          return;
        }
        // A redirect elsewhere comes back on every retry: stop, say why (see RedirectRefusedError).
        if (err instanceof RedirectRefusedError) {
          this.cb.onState({ state: 'error', reason: err.message });
          return;
        }
        const wait = err instanceof HttpError && err.status === 429 ? rateLimitWait(err) : backoffDelay(attempt++);
        const reason = err instanceof Error ? err.message : String(err);
        this.cb.onState({ state: 'reconnecting', reason, nextAttemptAt: Date.now() + wait });
        try {
          await sleep(wait, signal);
        } catch {
          return;
        }
      }
    }
  }

  /** Resolves false when stopped; rejects on a failed or broken connection. */
  private async connect(outer: AbortSignal, onOpen: () => void): Promise<boolean> {
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
      const url = `${this.opts.streamingBase}/api/v1/streaming/${this.opts.channel}`;
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
      await this.backfill(conn.signal);
      this.cb.onState({ state: 'streaming' });
      void this.reconcileEvery(conn.signal);
      const parser = createParser({
        onEvent: (e) => this.dispatch(e.event ?? 'message', e.data),
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
      return !outer.aborted;
    } catch (err) {
      if (outer.aborted) return false;
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

  private async backfill(signal: AbortSignal): Promise<void> {
    this.cb.onState({ state: 'backfilling' });
    const ledger = this.ledger;
    // The last connection can deliver nothing more: what it missed of the statuses already fetched goes now.
    for (const s of ledger?.judge(Date.now(), true) ?? []) this.emitStatus(s, 'backfill');
    // After a reconnect, start where reconciliation got to: the gap up to there holds what the stream dropped.
    const lastId = ledger?.decidedTo ?? this.opts.lastId();
    if (!lastId) {
      // Cold start: the newest page, so the panels have something before the first live post.
      const page = await fetchPage(timelineUrl(this.opts.baseUrl, this.opts.channel, {}), this.opts.token, signal);
      const statuses = [...page.statuses].sort((a, b) => compareIds(a.id, b.id));
      for (const s of statuses) this.emitStatus(s, 'backfill');
      // An empty timeline: everything after it is new, so reconciliation walks from the start.
      ledger?.goLive(statuses.at(-1)?.id ?? '0');
      return;
    }
    let newest = lastId;
    await walkNewer({
      baseUrl: this.opts.baseUrl,
      channel: this.opts.channel,
      token: this.opts.token,
      minId: lastId,
      signal,
      onPage: (statuses) => {
        for (const s of ledger ? ledger.takeBackfill(statuses, Date.now()) : statuses) this.emitStatus(s, 'backfill');
        newest = maxId(newest, statuses.at(-1)?.id ?? newest);
      },
    });
    if (ledger) {
      ledger.goLive(newest);
      this.cb.onCoverage?.(ledger.coverage(Date.now()));
    }
  }

  /** While this connection lives: compare with the REST timeline every `reconcileMs`. */
  private async reconcileEvery(signal: AbortSignal): Promise<void> {
    const { ledger, rounds } = this;
    if (!ledger || !rounds) return;
    for (;;) {
      try {
        await sleep(this.opts.reconcileMs ?? RECONCILE_MS, signal);
        const warning = await rounds.run(signal, (s) => this.emitStatus(s, 'backfill'));
        if (warning) this.cb.onWarning(warning);
      } catch (err) {
        // Aborted: the connection ended, and the next one's backfill takes over.
        if (signal.aborted) return;
        this.cb.onWarning(`comparing the stream with the public timeline failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.cb.onCoverage?.(ledger.coverage(Date.now()));
    }
  }

  private dispatch(event: string, data: string): void {
    if (event === 'delete') {
      // A bare id beyond 2^53: never JSON.parse it.
      const id = data.trim();
      if (/^\d+$/.test(id)) this.cb.onEvent({ kind: 'delete', id });
      else this.cb.onWarning(`malformed delete event skipped: ${data.slice(0, 80)}`);
      return;
    }
    if (event !== 'update' && event !== 'status.update') return;
    let status: MastodonStatus;
    try {
      status = JSON.parse(data) as MastodonStatus;
    } catch {
      this.cb.onWarning(`malformed ${event} event skipped (not JSON): ${data.slice(0, 80)}`);
      return;
    }
    if (typeof status?.id === 'string') this.ledger?.noteStreamed(status.id);
    this.emitStatus(status, 'stream');
  }

  private emitStatus(status: MastodonStatus, via: 'stream' | 'backfill'): void {
    if (nestsDeeperThan(status)) {
      this.cb.onEvent({ kind: 'skipped', status, reason: `nested deeper than any real one (${via}, id ${String(status?.id).slice(0, 24)})` });
      return;
    }
    this.cb.onEvent({ kind: 'update', status, via });
  }
}
