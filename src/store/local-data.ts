import type { AnalyticsDb } from '../db/analytics-db';
import { BatchStore, type StoredBatch } from './batch-store';
import { TootTable } from './toot-table';
import { loadSnapshot, readTables, type ParquetCodec } from './snapshot';

/** Compact once the batches since the last snapshot hold this many rows (and ≥ 25 % of the total). */
export const COMPACT_MIN_ROWS = 50_000;

/**
 * The data this browser holds: a compacted snapshot plus the batches written since, in IndexedDB,
 * and the DuckDB table built from them. The table's `appliedSeq` is the newest batch DuckDB has
 * seen, so any tab can catch up with batches another tab wrote, and a reload replays in order.
 */
export class LocalData {
  private rowsSinceSnapshot = 0;
  private compacting: Promise<boolean> | null = null;

  private constructor(
    readonly db: AnalyticsDb,
    readonly table: TootTable,
    readonly store: BatchStore,
    private readonly codec: () => Promise<ParquetCodec>,
  ) {}

  static async open(
    db: AnalyticsDb,
    languageNames: ReadonlyArray<readonly [string, string]>,
    codec: () => Promise<ParquetCodec>,
    store?: BatchStore,
  ): Promise<LocalData> {
    const table = new TootTable(db);
    await table.init(languageNames);
    const data = new LocalData(db, table, store ?? (await BatchStore.open()), codec);
    await data.catchUp();
    return data;
  }

  get appliedSeq(): number {
    return this.table.appliedSeq;
  }

  /**
   * Applies what IndexedDB holds beyond what DuckDB has. When a snapshot covers batches this tab
   * never applied (another tab compacted them away), the tables are rebuilt from the snapshot.
   * Returns how many batches (or snapshots) were applied.
   */
  async catchUp(): Promise<number> {
    let applied = 0;
    const snapSeq = await this.store.snapshotSeq();
    if (snapSeq > this.table.appliedSeq) {
      const snap = await this.store.snapshot();
      if (snap) {
        const codec = await this.codec();
        await this.table.exclusive(async () => {
          await loadSnapshot(this.db, snap, codec);
          this.table.appliedSeq = snap.upToSeq;
        });
        applied++;
      }
    }
    const batches = await this.store.loadAfter(this.table.appliedSeq);
    for (const b of batches) {
      await this.applied(b);
      this.rowsSinceSnapshot += b.rows;
    }
    return applied + batches.length;
  }

  /** Folds a batch into DuckDB once, in order (a batch this tab just wrote, or one it read). */
  async applied(batch: StoredBatch): Promise<void> {
    await this.table.apply(batch);
  }

  /**
   * Stores imported rows as an ordinary batch (so a reload replays them, deduplicated by the same
   * merge), then applies every stored batch up to and including it, in order. Applying through
   * `catchUp` rather than `applied(stored)` matters when the collector wrote a batch just before
   * ours and has not applied it yet: applying ours first would move `appliedSeq` past it and it
   * would be skipped. Do not call inside `table.exclusive` (the apply queues behind it).
   */
  async importBatch(ipc: Uint8Array, rows: number): Promise<void> {
    await this.store.append({ ipc, deletes: [] }, rows);
    await this.catchUp();
  }

  noteFlushed(rows: number): void {
    this.rowsSinceSnapshot += rows;
  }

  /** True when enough batches piled up since the last snapshot to be worth compacting. */
  wantsCompaction(totalRows: number): boolean {
    return !this.compacting && this.rowsSinceSnapshot >= Math.max(COMPACT_MIN_ROWS, totalRows / 4);
  }

  /**
   * Writes a snapshot of the tables as they are at `appliedSeq` and drops the batches it covers,
   * atomically (BatchStore.replaceWithSnapshot). Returns false when there was nothing to do.
   */
  compact(): Promise<boolean> {
    this.compacting ??= this.compactNow().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  private async compactNow(): Promise<boolean> {
    const codec = await this.codec();
    const { seq, tables } = await this.table.exclusive(async () => ({ seq: this.table.appliedSeq, tables: await readTables(this.db) }));
    if (seq < 0 || seq <= (await this.store.snapshotSeq())) return false;
    const toots = await codec.write(tables.tootsIpc);
    const { tootsIpc: _unused, ...side } = tables;
    await this.store.replaceWithSnapshot({ ...side, toots, upToSeq: seq, writtenAt: Date.now() });
    this.rowsSinceSnapshot = 0;
    return true;
  }

  /** Highest status id stored per instance: where polling and backfill continue from. */
  async lastIds(): Promise<Map<string, string>> {
    const rows = await this.db.query<{ base_url: string; last_id: string }>(
      `SELECT base_url, max(m_id)::VARCHAR AS last_id FROM (
         SELECT base_url, m_id FROM toots UNION ALL SELECT base_url, id::BIGINT FROM sightings) GROUP BY base_url`,
    );
    return new Map(rows.map((r) => [r.base_url, r.last_id]));
  }

  /** Toots stored per instance they were seen on. */
  async countsBySeenOn(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ base: string; n: number }>(
      'SELECT base, count(*)::INTEGER AS n FROM (SELECT unnest(seen_on) AS base FROM toots) GROUP BY base',
    );
    return new Map(rows.map((r) => [r.base, r.n]));
  }
}
