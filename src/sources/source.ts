import type { MastodonStatus } from '../core/mastodon';
import type { TootSource } from '../core/toot';
import type { StreamCoverage } from './reconcile';

/** What every reader hands the collector: raw Mastodon entities, not yet normalised. */
export type SourceEvent =
  | { kind: 'update'; status: MastodonStatus; via: TootSource }
  | { kind: 'delete'; id: string }
  /** A status the reader would not hand on (e.g. nested deeper than any real one): counted as skipped. */
  | { kind: 'skipped'; status: unknown; reason: string };

export type SourceState =
  | { state: 'connecting' }
  | { state: 'streaming' }
  | { state: 'polling'; nextPollAt?: number }
  | { state: 'backfilling' }
  | { state: 'reconnecting'; reason: string; nextAttemptAt: number }
  | { state: 'needs-sign-in'; reason: string }
  | { state: 'rate-limited'; reason: string; nextAttemptAt: number }
  | { state: 'error'; reason: string }
  | { state: 'paused' }
  /** Another tab of the page collects; this one shows the data, and that tab's state (`remote`). */
  | { state: 'standby'; remote?: Exclude<SourceState, { state: 'standby' }> };

export interface SourceCallbacks {
  onEvent(event: SourceEvent): void;
  onState(state: SourceState): void;
  /** Something skipped but not fatal, such as one malformed event. */
  onWarning(message: string): void;
  /** A stream's completeness, after each comparison with the REST timeline. */
  onCoverage?(coverage: StreamCoverage): void;
  /**
   * A cold start (nothing stored from this feed yet) handed on the newest page, whose ids these are:
   * the collector decides where collection begins. The reader reads nothing newer until this
   * resolves, so that point is kept before any row that depends on it.
   */
  onColdStart?(pageIds: readonly string[]): Promise<void>;
}

export interface Source {
  start(): void;
  stop(): void;
}

/** An HTTP answer that was not what we asked for, with the server's own reason when it gave one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers?: Headers,
  ) {
    super(`${status} ${reason}`);
  }
}

/** Mastodon errors are `{"error": "…"}`; anything else becomes the status text. */
export async function httpErrorFrom(res: Response): Promise<HttpError> {
  let reason = res.statusText || 'request failed';
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body?.error === 'string') reason = body.error;
  } catch {
    /* not JSON: keep the status text */
  }
  return new HttpError(res.status, reason, res.headers);
}

/** Sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long a 429 asks us to wait: until `X-RateLimit-Reset`, or a minute when it does not say. */
export function rateLimitWait(err: HttpError, now = Date.now()): number {
  const at = Date.parse(err.headers?.get('X-RateLimit-Reset') ?? '');
  return Number.isFinite(at) ? Math.max(1000, at - now) : 60_000;
}
