import type { MastodonStatus } from '../core/mastodon';
import { InvalidStatusError, normalizeStatus } from '../core/normalize';
import type { Tombstone, TootRow, TootSource } from '../core/toot';
import { tootsToIPC } from '../core/arrow-batch';
import type { RetentionRule } from '../core/sql/retention';
import { StorageFullError, type StoredBatch } from './batch-store';
import type { LocalData } from './local-data';

export const FLUSH_INTERVAL_MS = 1000;
/** Flush early past this many rows, so one batch stays a few MB. */
export const MAX_BATCH_ROWS = 10_000;

export type IngestStatus =
  | { state: 'ok' }
  | { state: 'storage-full'; message: string }
  | { state: 'error'; message: string };

/**
 * Rows wait here at most one second, then go to IndexedDB (first) and DuckDB (second), in order.
 * If the write fails, the rows stay pending and nothing already stored is touched.
 */
export class Ingest {
  private rows: TootRow[] = [];
  private deletes: Tombstone[] = [];
  private prune: RetentionRule | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushing: Promise<void> | null = null;
  private blocked = false;

  constructor(
    private readonly data: LocalData,
    private readonly onFlushed: (stored: StoredBatch) => void,
    private readonly onStatus: (status: IngestStatus) => void,
  ) {}

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

  /** Throws InvalidStatusError for a payload that cannot be a row. */
  addStatus(status: MastodonStatus, baseUrl: string, source: TootSource, receivedAt = Date.now()): TootRow {
    const row = normalizeStatus(status, baseUrl, source, receivedAt);
    this.rows.push(row);
    if (this.rows.length >= MAX_BATCH_ROWS) void this.flush();
    return row;
  }

  addDelete(baseUrl: string, id: string): void {
    this.deletes.push({ base_url: baseUrl, id });
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

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.blocked || (!this.rows.length && !this.deletes.length && !this.prune)) return Promise.resolve();
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const rows = this.rows;
    const deletes = this.deletes;
    const prune = this.prune;
    this.rows = [];
    this.deletes = [];
    this.prune = null;
    const batch = { ipc: rows.length ? tootsToIPC(rows) : null, deletes, ...(prune ? { prune } : {}) };
    let stored: StoredBatch;
    try {
      stored = await this.data.store.append(batch, rows.length);
    } catch (err) {
      // Put the rows back in front of anything that arrived meanwhile: nothing is lost.
      this.rows = rows.concat(this.rows);
      this.deletes = deletes.concat(this.deletes);
      this.prune ??= prune;
      this.blocked = true;
      this.onStatus(
        err instanceof StorageFullError
          ? { state: 'storage-full', message: 'Browser storage is full: collection is paused. Export Parquet, then free space and resume.' }
          : { state: 'error', message: `Could not store toots: ${(err as Error).message}` },
      );
      return;
    }
    try {
      await this.data.applied(stored);
      this.data.noteFlushed(rows.length);
      this.onStatus({ state: 'ok' });
      this.onFlushed(stored);
    } catch (err) {
      // Stored but not queryable yet: a reload replays it.
      this.onStatus({ state: 'error', message: `DuckDB could not take a batch (it is stored, and a reload applies it): ${(err as Error).message}` });
    }
  }
}

export { InvalidStatusError };
