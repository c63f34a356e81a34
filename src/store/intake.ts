import { maxId } from '../core/status-id';
import { InvalidStatusError } from '../core/normalize';
import type { TootRow, TootSource } from '../core/toot';
import type { SourceEvent } from '../sources/source';
import type { StreamChannel } from '../core/mastodon';
import { feedKey } from '../core/channel';
import type { Ingest } from './ingest';

export interface IntakeHooks {
  /** `n` toots first seen on `baseUrl` reached IndexedDB. */
  onStored(baseUrl: string, n: number): void;
  /** Of those stored, `n` came by `feed` (core/channel.ts `feedKey`) for the first time: each feed's own count. */
  onFeedStored?(feed: string, n: number): void;
  /** One status from `baseUrl` was skipped (first time only for the same id): why, in plain words. */
  onSkipped(baseUrl: string, reason: string): void;
  /** Every valid row as it arrives (live sketches). */
  onRow?(row: TootRow): void;
}

/** Skipped statuses (id and uri) remembered per instance, so one a poll sees again is counted once. */
const SKIPPED_MEMORY = 10_000;
/** Stored ids remembered per instance, so a status stored again (an edit, a re-fetch) is counted once. */
const COUNTED_MEMORY = 20_000;

/**
 * Where every source's events enter: statuses become rows in Ingest, or are skipped and counted;
 * nothing a stranger's server sends can throw back into its reader (a reader that saw an exception
 * would take its connection for broken and fetch the same bad page again, forever: issue 14).
 *
 * Positions (the newest id per feed of each instance, core/channel.ts `feedKey`, where polls and
 * backfills continue from) move past a row only once it is stored. Not past a skipped status: a
 * hostile one could carry the largest id there is and stop its instance's polling for good. A poll
 * that sees a skipped status again (until a newer valid one is stored) does not count it again.
 */
export class Intake {
  private stored: Map<string, string>;
  private skippedIds = new Map<string, Set<string>>();
  private countedIds = new Map<string, Set<string>>();
  private feedCountedIds = new Map<string, Set<string>>();
  /** The newest id per feed that became a row in this page (stored or not yet): where a cold start begins. */
  private accepted = new Map<string, string>();

  constructor(
    private readonly ingest: Ingest,
    private readonly hooks: IntakeHooks,
    initial: ReadonlyMap<string, string> = new Map(),
  ) {
    this.stored = new Map(initial);
  }

  /** Replaces the stored positions (after another tab collected meanwhile). */
  resetPositions(positions: ReadonlyMap<string, string>): void {
    this.stored = new Map(positions);
  }

  /**
   * Where collection from `baseUrl` by `channel` continues: past every row that feed stored; a
   * feed with none yet starts where the instance's public timeline is.
   */
  lastId(baseUrl: string, channel: StreamChannel = 'public'): string | null {
    return this.stored.get(feedKey(baseUrl, channel)) ?? this.stored.get(baseUrl) ?? null;
  }

  /**
   * A feed's cold start: collection begins after the newest status of the page it showed that
   * became a row (never past a skipped one, as above), or from the start of a timeline that was
   * empty. Kept in IndexedDB at once: a tab killed before its first batch was stored would
   * otherwise cold-start again on the next load and skip what came in between (a CI run kept 40 of
   * 3,794 toots so). A page of skipped statuses only sets no point: the next start is cold again.
   */
  async coldStart(baseUrl: string, channel: StreamChannel, pageIds: readonly string[]): Promise<void> {
    if (this.lastId(baseUrl, channel) !== null) return;
    const key = feedKey(baseUrl, channel);
    const start = this.accepted.get(key) ?? (pageIds.length ? null : '0');
    if (start === null) return;
    this.stored.set(key, start);
    await this.ingest.keepPosition(key, start);
  }

  accept(baseUrl: string, event: SourceEvent, source?: TootSource, channel: StreamChannel = 'public'): void {
    if (event.kind === 'delete') {
      this.ingest.addDelete(baseUrl, event.id);
      return;
    }
    if (event.kind === 'skipped') {
      this.skip(baseUrl, event.status, event.reason);
      return;
    }
    const key = feedKey(baseUrl, channel);
    let row: TootRow;
    try {
      row = this.ingest.addStatus(event.status, baseUrl, source ?? event.via, Date.now(), key);
    } catch (err) {
      this.skip(baseUrl, event.status, err instanceof InvalidStatusError ? err.message : `unexpected: ${errorText(err)}`);
      return;
    }
    this.accepted.set(key, maxId(this.accepted.get(key) ?? null, row.id));
    try {
      this.hooks.onRow?.(row);
    } catch (err) {
      console.error('a live panel failed on a row', err);
    }
  }

  /** Ingest's rows reached IndexedDB: move positions and counters past them. */
  storedRows(rows: readonly TootRow[]): void {
    const perBase = new Map<string, number>();
    const perFeed = new Map<string, number>();
    for (const row of rows) {
      const feed = this.ingest.feedOf(row);
      this.stored.set(feed, maxId(this.stored.get(feed) ?? null, row.id));
      // A row counts toots, not deliveries: a status that comes again (its edit, a backfill, a
      // reconciliation, or a second feed of the same instance) is stored again and merged by uri,
      // and counted once (a CI run counted 70 on a row for 50 stored). Each feed counts its own.
      const identity = `${row.id} ${row.uri}`;
      if (firstTime(this.feedCountedIds, feed, identity, COUNTED_MEMORY)) perFeed.set(feed, (perFeed.get(feed) ?? 0) + 1);
      if (firstTime(this.countedIds, row.base_url, identity, COUNTED_MEMORY)) perBase.set(row.base_url, (perBase.get(row.base_url) ?? 0) + 1);
    }
    for (const [base, n] of perBase) this.hooks.onStored(base, n);
    for (const [feed, n] of perFeed) this.hooks.onFeedStored?.(feed, n);
  }

  /** A row Ingest could not encode (after validation passed): skipped like an invalid status. */
  rejected(row: TootRow, reason: string): void {
    this.skip(row.base_url, row, `could not be stored: ${reason}`);
  }

  private skip(baseUrl: string, status: unknown, reason: string): void {
    const id = identityOf(status);
    if (id !== null && !firstTime(this.skippedIds, baseUrl, id, SKIPPED_MEMORY)) return;
    this.hooks.onSkipped(baseUrl, reason);
  }
}

/**
 * True the first time `key` is seen for `baseUrl`, and remembers it; at most `limit` keys per
 * instance are kept (then forgotten at once, so a key seen long ago may count once more).
 */
function firstTime(memory: Map<string, Set<string>>, baseUrl: string, key: string, limit: number): boolean {
  let seen = memory.get(baseUrl);
  if (!seen) memory.set(baseUrl, (seen = new Set()));
  if (seen.has(key)) return false;
  if (seen.size >= limit) seen.clear();
  seen.add(key);
  return true;
}

/** `id uri` of a status that has both as short strings: what makes it the same status seen again. */
function identityOf(status: unknown): string | null {
  if (typeof status !== 'object' || status === null) return null;
  const { id, uri } = status as { id?: unknown; uri?: unknown };
  return typeof id === 'string' && typeof uri === 'string' && id.length <= 64 && uri.length <= 4096 ? `${id} ${uri}` : null;
}

function errorText(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'an error that cannot be shown';
  }
}
