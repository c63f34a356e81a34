/**
 * What every streaming transport (SSE, WebSocket) does around the socket itself: backfill on each
 * (re)connect, reconciliation with the REST timeline while connected, and turning an event's name
 * and data into SourceEvents. The transports differ only in how they connect and frame events.
 */
import type { MastodonStatus, StreamChannel } from '../core/mastodon';
import { compareIds, isStatusId, maxId } from '../core/status-id';
import { nestsDeeperThan } from '../core/json-depth';
import { RECONCILE_MS, SETTLE_MS, StreamLedger } from './reconcile';
import { ReconcileRounds } from './reconcile-round';
import { sleep, type SourceCallbacks } from './source';
import { fetchPage, timelineUrl, walkNewer } from './timeline-pager';

export interface StreamCoreOptions {
  baseUrl: string;
  channel: StreamChannel;
  token: string;
  /** Highest status id the collector has accepted from this instance: where a backfill starts. */
  lastId(): string | null;
  /** How often the stream is compared with the REST timeline (default 60 s; 0: never). */
  reconcileMs?: number;
}

export class StreamCore {
  /** What the stream delivered against the timeline; kept across reconnects, null when off. */
  readonly ledger: StreamLedger | null;
  private readonly rounds: ReconcileRounds | null;

  constructor(
    private readonly opts: StreamCoreOptions,
    private readonly cb: SourceCallbacks,
  ) {
    const every = opts.reconcileMs ?? RECONCILE_MS;
    // A status gets until the next round to arrive on the stream, at most SETTLE_MS.
    this.ledger = every > 0 ? new StreamLedger({ settleMs: Math.min(every, SETTLE_MS) }) : null;
    this.rounds = this.ledger && new ReconcileRounds(this.ledger, opts);
  }

  async backfill(signal: AbortSignal): Promise<void> {
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
      await this.cb.onColdStart?.(statuses.map((s) => s.id));
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
  async reconcileEvery(signal: AbortSignal): Promise<void> {
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

  /** One event as Mastodon names it (`update`, `status.update`, `delete`…) with its data string. */
  dispatch(event: string, data: string): void {
    if (event === 'delete') {
      // A bare id beyond 2^53: never JSON.parse it.
      const id = data.trim();
      if (isStatusId(id)) this.cb.onEvent({ kind: 'delete', id });
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

  emitStatus(status: MastodonStatus, via: 'stream' | 'backfill'): void {
    if (nestsDeeperThan(status)) {
      this.cb.onEvent({ kind: 'skipped', status, reason: `nested deeper than any real one (${via}, id ${String(status?.id).slice(0, 24)})` });
      return;
    }
    this.cb.onEvent({ kind: 'update', status, via });
  }
}
