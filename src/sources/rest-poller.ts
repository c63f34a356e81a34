import type { MastodonStatus, StreamChannel } from '../core/mastodon';
import { compareIds } from '../core/status-id';
import { nestsDeeperThan } from '../core/json-depth';
import { RedirectRefusedError } from './http-guard';
import { backoffDelay } from './backoff';
import { HttpError, rateLimitWait, sleep, type Source, type SourceCallbacks } from './source';
import { fetchPage, timelineUrl, walkNewer } from './timeline-pager';

/** Anonymous answers are cached this long by Mastodon: polling faster returns the same page. */
export const DEFAULT_CACHE_S = 15;

export interface PollOptions {
  baseUrl: string;
  channel: StreamChannel;
  token: string | null;
  /** Highest status id the collector has accepted from this instance (see SseOptions.lastId). */
  lastId(): string | null;
}

/**
 * The public timeline over REST, walked forward with `min_id`, no faster than the server's cache,
 * pausing on `X-RateLimit-Remaining: 0` and on 429 until `X-RateLimit-Reset`.
 */
export class RestPoller implements Source {
  private abort: AbortController | null = null;
  constructor(
    private readonly opts: PollOptions,
    private readonly cb: SourceCallbacks,
  ) {
  }

  start(): void {
    this.stop();
    this.abort = new AbortController();
    void this.run(this.abort.signal);
  }

  stop(): void {
    this.abort?.abort(new DOMException('stopped', 'AbortError'));
    this.abort = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    this.cb.onState({ state: 'connecting' });
    while (!signal.aborted) {
      let wait: number;
      try {
        const { maxAge, resetAt } = await this.pollOnce(signal);
        failures = 0;
        wait = Math.max(1, maxAge ?? DEFAULT_CACHE_S) * 1000;
        if (resetAt !== null && resetAt - Date.now() > wait) {
          wait = resetAt - Date.now();
          this.cb.onState({ state: 'rate-limited', reason: 'X-RateLimit-Remaining is 0', nextAttemptAt: Date.now() + wait });
        } else {
          this.cb.onState({ state: 'polling', nextPollAt: Date.now() + wait });
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 422)) {
          this.cb.onState({ state: 'needs-sign-in', reason: `${err.status}: ${err.reason}` });
          return;
        }
        // A redirect elsewhere comes back on every poll: stop, say why (see RedirectRefusedError).
        if (err instanceof RedirectRefusedError) {
          this.cb.onState({ state: 'error', reason: err.message });
          return;
        }
        if (err instanceof HttpError && err.status === 429) {
          wait = rateLimitWait(err);
          this.cb.onState({ state: 'rate-limited', reason: `429: ${err.reason}`, nextAttemptAt: Date.now() + wait });
        } else {
          wait = backoffDelay(failures++);
          const reason = err instanceof Error ? err.message : String(err);
          this.cb.onState({ state: 'reconnecting', reason, nextAttemptAt: Date.now() + wait });
        }
      }
      try {
        await sleep(wait, signal);
      } catch {
        return;
      }
    }
  }

  /** One round: the newest page when starting cold, else everything newer than the last id. */
  private async pollOnce(signal: AbortSignal): Promise<{ maxAge: number | null; resetAt: number | null }> {
    const emit = (statuses: MastodonStatus[]) => {
      for (const s of statuses) {
        if (nestsDeeperThan(s)) {
          this.cb.onEvent({ kind: 'skipped', status: s, reason: `nested deeper than any real one (id ${String(s?.id).slice(0, 24)})` });
          continue;
        }
        this.cb.onEvent({ kind: 'update', status: s, via: 'poll' });
      }
    };
    const lastId = this.opts.lastId();
    if (lastId === null) {
      const page = await fetchPage(timelineUrl(this.opts.baseUrl, this.opts.channel, {}), this.opts.token, signal);
      const sorted = [...page.statuses].sort((a, b) => compareIds(a.id, b.id));
      emit(sorted);
      await this.cb.onColdStart?.(sorted.map((s) => s.id));
      return { maxAge: page.maxAge, resetAt: exhausted(page.rateLimit) };
    }
    const last = await walkNewer({
      baseUrl: this.opts.baseUrl,
      channel: this.opts.channel,
      token: this.opts.token,
      minId: lastId,
      signal,
      onPage: (statuses) => emit(statuses),
    });
    return { maxAge: last?.maxAge ?? null, resetAt: last ? exhausted(last.rateLimit) : null };
  }
}

function exhausted(rl: { remaining: number | null; resetAt: number | null }): number | null {
  return rl.remaining !== null && rl.remaining <= 0 ? rl.resetAt : null;
}
