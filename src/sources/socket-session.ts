import { EventLoopTurns } from './event-loop';
import { REST_TIMEOUT_MS } from './http-guard';

/**
 * A WebSocket's keep-alive is ping frames, which a page never sees: only messages feed the
 * watchdog, so it must outlast a quiet stream. Five minutes without one post on a public stream
 * is a dead socket on any server worth streaming; reconciliation covers the wait meanwhile.
 */
export const WS_WATCHDOG_MS = 5 * 60_000;

/**
 * A socket that neither opens nor fails (a blocked connection fires no event in Chrome) is given
 * up after as long as a REST request gets.
 */
export const WS_OPEN_TIMEOUT_MS = REST_TIMEOUT_MS;

type Frame = { kind: 'message'; data: unknown } | { kind: 'closed'; reason: string };

/**
 * One WebSocket connection as a reader uses it (Mastodon's streaming API in ws-source.ts, Misskey's
 * `/streaming` in misskey-source.ts): opened within a deadline, watched by a watchdog that ends a
 * silent connection, its messages queued until the reader takes them (so the backfill runs first
 * and nothing that arrives meanwhile is lost), and closed for good when the connection ends.
 */
export class SocketSession {
  private readonly queue: Frame[] = [];
  private wake: (() => void) | null = null;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private ws: WebSocket | null = null;
  private readonly conn = new AbortController();
  private readonly stopConn = () => this.conn.abort(this.opts.outer.reason);

  private readonly watchdogMs: number;
  private readonly openMs: number;

  /** `outer` stops the reader; the session's own `signal` also ends with the connection. */
  constructor(
    private readonly opts: { host: string; watchdogMs?: number; outer: AbortSignal },
  ) {
    this.watchdogMs = opts.watchdogMs ?? WS_WATCHDOG_MS;
    this.openMs = Math.min(this.watchdogMs, WS_OPEN_TIMEOUT_MS);
    opts.outer.addEventListener('abort', this.stopConn, { once: true });
    this.feedDog();
  }

  /** Aborted when the reader stops or this connection ends: what its backfill and requests run under. */
  get signal(): AbortSignal {
    return this.conn.signal;
  }

  /**
   * Watches `ws` (just created by the reader, which knows what a failure to create it means).
   * Resolves true once open, false when the server refused the upgrade or the connection was
   * stopped; throws when it does not open in time.
   */
  async open(ws: WebSocket): Promise<boolean> {
    this.ws = ws;
    const { openMs } = this;
    const { host } = this.opts;
    const signal = this.signal;
    const open = new Promise<boolean>((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onmessage = (e: MessageEvent) => {
        this.feedDog();
        this.push({ kind: 'message', data: e.data });
      };
      ws.onclose = (e: CloseEvent) => {
        resolve(false);
        this.push({ kind: 'closed', reason: `the WebSocket closed${e.code && e.code !== 1005 ? ` (${e.code}${e.reason ? ` ${e.reason}` : ''})` : ''}` });
      };
      ws.onerror = () => undefined;
      signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), openMs)));
    const first = await Promise.race([open, late]);
    clearTimeout(timer);
    if (first === 'late') throw new Error(`the WebSocket to ${host} did not open in ${Math.round(openMs / 1000)} s`);
    if (first) this.feedDog();
    return first;
  }

  send(data: string): void {
    this.ws?.send(data);
  }

  /**
   * Hands every message to `handle`, in order, until the connection ends: throws why it ended, and
   * returns once the connection is stopped. Each message may be a flood's: between messages, timers,
   * storage and rendering get their turn.
   */
  async pump(handle: (data: unknown) => void): Promise<void> {
    const signal = this.signal;
    const turns = new EventLoopTurns();
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    for (;;) {
      while (!this.queue.length) {
        await Promise.race([new Promise<void>((r) => (this.wake = r)), stopped]);
        this.wake = null;
        if (signal.aborted) return;
      }
      const frame = this.queue.shift()!;
      if (frame.kind === 'closed') throw new Error(frame.reason);
      handle(frame.data);
      await turns.maybeYield();
    }
  }

  /** Ends the connection's signal, the watchdog and the socket (one closed before it opened throws in some browsers). */
  close(): void {
    this.opts.outer.removeEventListener('abort', this.stopConn);
    if (!this.conn.signal.aborted) this.conn.abort(new DOMException('connection closed', 'AbortError'));
    clearTimeout(this.watchdog);
    const ws = this.ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close();
    } catch {
      /* already closing */
    }
  }

  private push(f: Frame): void {
    this.queue.push(f);
    this.wake?.();
  }

  private feedDog(): void {
    clearTimeout(this.watchdog);
    const ms = this.watchdogMs;
    this.watchdog = setTimeout(() => this.push({ kind: 'closed', reason: `no data for ${Math.round(ms / 1000)} s` }), ms);
  }
}
