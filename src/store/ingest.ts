import type { MastodonStatus } from '../core/mastodon';
import { normalizeStatus } from '../core/normalize';
import type { Tombstone, TootRow, TootSource } from '../core/toot';
import { tootsToIPC } from '../core/arrow-batch';
import type { RetentionRule } from '../core/sql/retention';
import { maxId } from '../core/status-id';
import { BatchStore, StorageFullError, type StoredBatch } from './wal/batch-store';
import type { LocalData } from './local-data';

/**
 * Rows wait in memory at most this long before their IndexedDB write starts. The promise is "at
 * most a second of toots is only in memory"; the write itself takes tens to hundreds of ms on a
 * loaded machine, so the wait is half of that second (a kill test lost rows read 1,076 ms before
 * the kill with a 1 s wait: the write had started and not yet committed).
 */
export const FLUSH_INTERVAL_MS = 500;
/** Flush early past this many rows, so one batch stays a few MB. */
export const MAX_BATCH_ROWS = 10_000;

export type IngestStatus =
  | { state: 'ok' }
  | { state: 'storage-full'; message: string }
  | { state: 'error'; message: string };

/** A row that could not be encoded for storage: dropped, and its instance told why. */
export interface RejectedRow {
  row: TootRow;
  reason: string;
}

export interface IngestHooks {
  /** `rows` are in IndexedDB: counters and source positions may move past them. */
  onStored(rows: readonly TootRow[]): void;
  /** The batch is also in DuckDB (once DuckDB is up: batches stored before wait for it). */
  onFlushed(stored: StoredBatch): void;
  onStatus(status: IngestStatus): void;
  /** Rows that passed validation yet could not be encoded: each is left out, never the batch. */
  onRejected?(rejected: RejectedRow[]): void;
}

/**
 * Rows wait here at most one second, then go to IndexedDB (first) and DuckDB (second), in order.
 * Whatever fails between taking the rows and storing them puts them back, or leaves out only the
 * row that cannot be stored: one stranger's bad row never costs another instance's rows (issue 14).
 *
 * Collection does not wait for DuckDB (issue 16): an Ingest made over the BatchStore alone stores
 * batches at once and keeps them for DuckDB until `attach` hands it the opened LocalData.
 */
export class Ingest {
  private rows: TootRow[] = [];
  private deletes: Tombstone[] = [];
  private prune: RetentionRule | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The IndexedDB write under way, if any. */
  private flushing: Promise<void> | null = null;
  /** A batch of rows has been stored since this Ingest started. */
  private storedOnce = false;
  /**
   * Merges into DuckDB, chained in the order their batches were stored. The next write to
   * IndexedDB never waits for them: a merge can take seconds on a loaded machine, and rows held in
   * memory meanwhile were lost by a crash (16,260 rows for ~6 s in one profile, issue 14).
   */
  private applying: Promise<void> = Promise.resolve();
  /** Stored batches (with their rows) DuckDB has not merged yet, oldest first. */
  private unapplied: Array<{ stored: StoredBatch; rows: TootRow[] }> = [];
  /** A merge failed: the next one first applies every stored batch DuckDB has not taken (applyWaiting). */
  private catchUpFirst = false;
  private blocked = false;
  /** The feed (core/channel.ts `feedKey`) each row came by, where it was not the instance's public timeline. */
  private readonly feeds = new WeakMap<TootRow, string>();
  private readonly store: BatchStore;
  private data: LocalData | null = null;

  constructor(
    target: BatchStore | LocalData,
    private readonly hooks: IngestHooks,
  ) {
    if (target instanceof BatchStore) {
      this.store = target;
    } else {
      this.store = target.store;
      this.data = target;
    }
  }

  /**
   * DuckDB is up: merge the batches stored meanwhile (those the open did not load, LocalData.open)
   * and every later one as it is stored.
   */
  attach(data: LocalData): void {
    if (this.data) return;
    this.data = data;
    this.applying = this.applying.then(() => this.applyWaiting());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get pending(): number {
    return this.rows.length + this.deletes.length;
  }

  /**
   * Throws InvalidStatusError for a payload that cannot be a row. `feed`: where the row's
   * position is kept (the instance's own, `baseUrl`, unless given).
   */
  addStatus(status: unknown, baseUrl: string, source: TootSource, receivedAt = Date.now(), feed?: string): TootRow {
    const row = normalizeStatus(status, baseUrl, source, receivedAt);
    if (feed !== undefined && feed !== baseUrl) this.feeds.set(row, feed);
    this.rows.push(row);
    if (this.rows.length >= MAX_BATCH_ROWS) void this.flush();
    // The first rows a start takes in are stored at once, not at the next tick (issue 16: "first
    // toot in IndexedDB" waited up to FLUSH_INTERVAL_MS for it); a page of a poll is still one
    // batch, as the flush runs once the page's statuses are all added.
    else if (!this.storedOnce && this.timer && this.rows.length === 1) queueMicrotask(() => void this.flush());
    return row;
  }

  addDelete(baseUrl: string, id: string): void {
    this.deletes.push({ base_url: baseUrl, id });
  }

  /** Where the row's position is kept: its feed's key, or its instance's. */
  feedOf(row: TootRow): string {
    return this.feeds.get(row) ?? row.base_url;
  }

  /** The newest id per feed among `rows`: stored with their batch. */
  private positionsOf(rows: readonly TootRow[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of rows) {
      const feed = this.feedOf(r);
      out.set(feed, maxId(out.get(feed) ?? null, r.id));
    }
    return out;
  }

  /**
   * Keeps a feed's position without a row (a cold start's beginning). A failed write is left to
   * the next batch to report: the point then lives in memory only, as before there was one.
   */
  keepPosition(feed: string, id: string): Promise<void> {
    return this.store.seedPositions(new Map([[feed, id]])).catch(() => undefined);
  }

  /** Prunes by a retention rule with the next flush (after that flush's rows). */
  addPrune(rule: RetentionRule): void {
    this.prune = rule;
    void this.flush();
  }

  /** Resume after the person freed space (or retry a failed write). */
  retry(): void {
    this.blocked = false;
    void this.flush();
  }

  /** Stores what waits, and resolves once it (and every batch before it) is also in DuckDB. */
  flush(): Promise<void> {
    // Rows that arrived during the write under way are not in it: they go with the next one.
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.blocked || (!this.rows.length && !this.deletes.length && !this.prune)) return this.applying;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing.then(() => this.applying);
  }

  private async flushOnce(): Promise<void> {
    const takenAt = Date.now();
    let rows = this.rows;
    const deletes = this.deletes;
    const prune = this.prune;
    this.rows = [];
    this.deletes = [];
    this.prune = null;
    let stored: StoredBatch;
    try {
      let ipc: Uint8Array | null = null;
      if (rows.length) ({ rows, ipc } = this.encode(rows));
      stored = await this.store.append({ ipc, deletes, ...(prune ? { prune } : {}) }, rows.length, this.positionsOf(rows), takenAt);
    } catch (err) {
      // Put the rows back in front of anything that arrived meanwhile: nothing is lost.
      this.rows = rows.concat(this.rows);
      this.deletes = deletes.concat(this.deletes);
      this.prune ??= prune;
      this.blocked = true;
      this.hooks.onStatus(
        err instanceof StorageFullError
          ? { state: 'storage-full', message: 'Browser storage is full: collection is paused. Export Parquet, then free space and resume.' }
          : { state: 'error', message: `Could not store toots: ${(err as Error).message}` },
      );
      return;
    }
    this.hooks.onStored(rows);
    if (rows.length) this.storedOnce = true;
    this.unapplied.push({ stored, rows });
    if (this.data) this.applying = this.applying.then(() => this.applyWaiting());
  }

  /**
   * Merges every stored batch DuckDB has not taken yet as one, up to the first with a retention
   * rule (it applies after its own batch's rows). Writes come every half second but a merge can
   * take longer on a loaded machine: one merge per write would fall ever further behind, so the
   * merges grow with the backlog instead. The merge takes batches in any cut (TootTable.applyAsOne),
   * so the table is the same as a reload's, which cuts them otherwise.
   */
  private async applyWaiting(): Promise<void> {
    const data = this.data;
    if (!data) return;
    if (this.catchUpFirst) {
      try {
        await data.catchUp();
        this.catchUpFirst = false;
        if (!this.blocked) this.hooks.onStatus({ state: 'ok' });
      } catch (err) {
        // Every waiting batch is in IndexedDB, which the next try reads: none is kept in memory.
        this.unapplied = [];
        this.mergeFailed(err);
        return;
      }
    }
    const cut = this.unapplied.findIndex((u) => u.stored.prune);
    // Batches DuckDB already holds (a catch-up read them from IndexedDB) are not merged twice.
    const taken = this.unapplied.splice(0, cut < 0 ? this.unapplied.length : cut + 1).filter((t) => t.stored.seq > data.appliedSeq);
    if (!taken.length) return;
    const last = taken[taken.length - 1]!.stored;
    try {
      // Each batch's rows as they were encoded for IndexedDB: not encoded again.
      await data.applied(...taken.map((t) => t.stored));
      data.noteFlushed(taken.reduce((n, t) => n + t.rows.length, 0));
      // A later write may have failed meanwhile (a full quota): its message stays.
      if (!this.blocked) this.hooks.onStatus({ state: 'ok' });
      this.hooks.onFlushed(last);
    } catch (err) {
      // Stored but not queryable yet. Merging the next batch alone would move appliedSeq past
      // these, and neither a reload nor a compaction would then bring their rows into DuckDB: so
      // the next merge first reads every stored batch DuckDB has not taken, in order, from
      // IndexedDB (not from memory, which a DuckDB that keeps failing would fill).
      this.mergeFailed(err);
    }
  }

  /** The batches stay stored in IndexedDB; the next merge catches up on them first (applyWaiting). */
  private mergeFailed(err: unknown): void {
    this.catchUpFirst = true;
    this.hooks.onStatus({ state: 'error', message: `DuckDB could not take a batch (it is stored; the next merge tries again): ${(err as Error).message}` });
  }

  /**
   * The rows as Arrow IPC. Should one row still not encode, each row is tried alone and only those
   * that fail are left out (and reported), so the batch and everyone else's rows are kept.
   */
  private encode(rows: TootRow[]): { rows: TootRow[]; ipc: Uint8Array | null } {
    try {
      return { rows, ipc: tootsToIPC(rows) };
    } catch {
      const kept: TootRow[] = [];
      const rejected: RejectedRow[] = [];
      for (const row of rows) {
        try {
          tootsToIPC([row]);
          kept.push(row);
        } catch (err) {
          rejected.push({ row, reason: err instanceof Error ? err.message : String(err) });
        }
      }
      if (rejected.length) this.hooks.onRejected?.(rejected);
      return { rows: kept, ipc: kept.length ? tootsToIPC(kept) : null };
    }
  }
}


