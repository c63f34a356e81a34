import type { MastodonStatus, StreamChannel } from '../core/mastodon';
import type { StreamLedger } from './reconcile';
import { HttpError, rateLimitWait } from './source';
import { walkNewer, type RateLimit } from './timeline-pager';

/**
 * Pages one round may fetch. Mastodon allows 300 requests per 5 minutes per token; at one round a
 * minute this spends at most 50 of them, and a busy instance's backlog is caught up over rounds.
 */
export const PAGES_PER_ROUND = 10;
/**
 * Requests left for everything else (a reconnect's backfill above all): a round stops, and
 * rounds pause until the window resets, once `X-RateLimit-Remaining` is down to this.
 */
export const RATE_RESERVE = 60;

export interface RoundOptions {
  baseUrl: string;
  channel: StreamChannel;
  token: string;
  pagesPerRound?: number;
  reserve?: number;
}

/**
 * The REST side of reconciliation: each round first hands over what the stream missed among the
 * statuses that have settled, then walks the public timeline forward from the ledger's cursor,
 * bounded in pages and by the rate limit.
 */
export class ReconcileRounds {
  private pausedUntil = 0;

  constructor(
    private readonly ledger: StreamLedger,
    private readonly opts: RoundOptions,
  ) {}

  /**
   * Resolves with a warning for the row when the walk failed (the stream goes on regardless), or
   * null; rejects only when `signal` aborts.
   */
  async run(signal: AbortSignal, emit: (missed: MastodonStatus) => void, now: () => number = Date.now): Promise<string | null> {
    for (const s of this.ledger.judge(now())) emit(s);
    const from = this.ledger.cursor;
    if (from === null || now() < this.pausedUntil) return null;
    const reserve = this.opts.reserve ?? RATE_RESERVE;
    const low = (rl: RateLimit) => {
      if (rl.remaining === null || rl.remaining > reserve) return false;
      this.pausedUntil = rl.resetAt ?? now() + 60_000;
      return true;
    };
    try {
      const last = await walkNewer({
        baseUrl: this.opts.baseUrl,
        channel: this.opts.channel,
        token: this.opts.token,
        minId: from,
        signal,
        maxPages: this.opts.pagesPerRound ?? PAGES_PER_ROUND,
        onPage: (statuses) => this.ledger.addFetched(statuses, now()),
        continueAfter: (page) => !low(page.rateLimit),
      });
      if (last) low(last.rateLimit);
      return null;
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof HttpError && err.status === 429) {
        // Give the budget back to the stream's own backfill; the pages already walked are kept.
        this.pausedUntil = now() + rateLimitWait(err, now());
        return null;
      }
      return `comparing the stream with the public timeline failed (${err instanceof Error ? err.message : String(err)}); trying again next round`;
    }
  }
}
