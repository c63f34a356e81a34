import type { MastodonStatus } from '../core/mastodon';
import { compareIds, maxId } from '../core/status-id';

/** How often a live stream is compared with the public timeline over REST. */
export const RECONCILE_MS = 60_000;
/** The span the coverage shown on a row is measured over. */
export const COVERAGE_WINDOW_MS = 10 * 60_000;
/**
 * How long a status seen over REST gets to arrive on the stream before it counts as missed. The
 * timeline shows a status as soon as it is in the database; the stream gets it after fan-out, which
 * lags under load.
 */
export const SETTLE_MS = 10_000;

/** How complete a stream is, from comparing it with the REST timeline. */
export interface StreamCoverage {
  /** Statuses the timeline showed within the window, each judged once. */
  shown: number;
  /** Of those, the ones the stream delivered. */
  delivered: number;
  /** delivered / shown, or null while nothing has been compared yet. */
  ratio: number | null;
  windowMs: number;
  /** Statuses fetched over REST because the stream never delivered them, since the source started. */
  missedFetched: number;
}

interface Pending {
  status: MastodonStatus;
  fetchedAt: number;
}

/**
 * What the stream delivered against what the public timeline shows, for one stream source. No I/O:
 * the source feeds it stream ids and REST pages and emits what it hands back.
 *
 * Ids only move forward: `judgedTo` is the newest id decided (delivered or missed), `fetchedTo` the
 * newest id the REST walk reached; statuses between the two wait until they have settled. Ids are
 * compared as decimal strings (they exceed 2^53).
 */
export class StreamLedger {
  private judgedTo: string | null = null;
  private fetchedTo: string | null = null;
  private readonly streamed = new Set<string>();
  /** Newest id the current connection delivered: a reconnect can judge up to here, no further. */
  private newestStreamed: string | null = null;
  private pending: Pending[] = [];
  private rounds: Array<{ at: number; shown: number; delivered: number }> = [];
  private missedFetched = 0;

  constructor(private readonly opts: { settleMs?: number; windowMs?: number } = {}) {}

  /** Where the next REST walk starts (`min_id`); null until a connection is live. */
  get cursor(): string | null {
    return this.fetchedTo;
  }

  /** Everything up to here has been decided, so a reconnect's backfill starts here (null: never live). */
  get decidedTo(): string | null {
    return this.judgedTo;
  }

  /** The connect-time backfill ended at `cursor`: from here on the stream is measured. */
  goLive(cursor: string): void {
    this.judgedTo = cursor;
    this.fetchedTo = cursor;
    this.pending = [];
    this.newestStreamed = null;
    this.prune();
  }

  /** A status the stream delivered (an update or an edit). */
  noteStreamed(id: string): void {
    if (this.judgedTo === null || compareIds(id, this.judgedTo) <= 0) return;
    this.streamed.add(id);
    this.newestStreamed = maxId(this.newestStreamed, id);
  }

  /** One REST page of a round, oldest first: held until it has had time to arrive on the stream. */
  addFetched(statuses: readonly MastodonStatus[], now: number): void {
    if (this.fetchedTo === null) return;
    for (const status of statuses) {
      if (compareIds(status.id, this.fetchedTo) <= 0) continue;
      this.pending.push({ status, fetchedAt: now });
      this.fetchedTo = status.id;
    }
  }

  /**
   * Decides the held statuses that have settled (all of them when `all`: the connection that
   * could still deliver them is gone). Returns the ones the stream missed, oldest first; a status
   * is returned at most once, ever.
   */
  judge(now: number, all = false): MastodonStatus[] {
    const settleMs = this.opts.settleMs ?? SETTLE_MS;
    const missed: MastodonStatus[] = [];
    let delivered = 0;
    let n = 0;
    for (const p of this.pending) {
      if (!all && now - p.fetchedAt < settleMs) break;
      n++;
      if (this.streamed.has(p.status.id)) delivered++;
      else missed.push(p.status);
      this.judgedTo = p.status.id;
    }
    if (!n) return missed;
    this.pending.splice(0, n);
    this.record(now, n, delivered, missed.length);
    this.prune();
    return missed;
  }

  /**
   * A reconnect's backfill page (walked from `decidedTo`, oldest first): what to hand the collector.
   * Statuses up to the newest the last connection delivered are judged now (the stream it missed
   * there are returned, the rest skipped: already collected); newer ones fell into the gap of the
   * reconnect, are returned and do not count against the stream.
   */
  takeBackfill(statuses: readonly MastodonStatus[], now: number): MastodonStatus[] {
    const out: MastodonStatus[] = [];
    let shown = 0;
    let delivered = 0;
    let missed = 0;
    for (const s of statuses) {
      if (this.judgedTo !== null && compareIds(s.id, this.judgedTo) <= 0) continue;
      // Decided as it goes, so a backfill that fails midway resumes after this page, not before it.
      this.judgedTo = s.id;
      this.fetchedTo = maxId(this.fetchedTo, s.id);
      if (this.newestStreamed !== null && compareIds(s.id, this.newestStreamed) <= 0) {
        shown++;
        if (this.streamed.has(s.id)) {
          delivered++;
          continue;
        }
        missed++;
      }
      out.push(s);
    }
    if (shown) this.record(now, shown, delivered, missed);
    this.prune();
    return out;
  }

  coverage(now: number): StreamCoverage {
    const windowMs = this.opts.windowMs ?? COVERAGE_WINDOW_MS;
    this.rounds = this.rounds.filter((r) => r.at >= now - windowMs);
    let shown = 0;
    let delivered = 0;
    for (const r of this.rounds) {
      shown += r.shown;
      delivered += r.delivered;
    }
    return { shown, delivered, ratio: shown ? delivered / shown : null, windowMs, missedFetched: this.missedFetched };
  }

  private record(at: number, shown: number, delivered: number, missed: number): void {
    this.rounds.push({ at, shown, delivered });
    this.missedFetched += missed;
  }

  /** Stream ids at or below what has been decided are no longer needed. */
  private prune(): void {
    const to = this.judgedTo;
    if (to === null) return;
    for (const id of this.streamed) if (compareIds(id, to) <= 0) this.streamed.delete(id);
  }
}
