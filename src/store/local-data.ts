import type { AnalyticsDb } from '../db/analytics-db';
import { BatchStore, type StoredBatch } from './batch-store';
import { TootTable } from './toot-table';

/**
 * The data this browser holds: the batches in IndexedDB and the DuckDB table built from them.
 * `appliedSeq` is the newest batch DuckDB has seen, so any tab can catch up with batches another
 * tab wrote, and a reload replays everything in the order it was written.
 */
export class LocalData {
  appliedSeq = -1;

  private constructor(
    readonly db: AnalyticsDb,
    readonly table: TootTable,
    readonly store: BatchStore,
  ) {}

  static async open(db: AnalyticsDb, languageNames: ReadonlyArray<readonly [string, string]>): Promise<LocalData> {
    const table = new TootTable(db);
    await table.init(languageNames);
    const data = new LocalData(db, table, await BatchStore.open());
    await data.catchUp();
    return data;
  }

  /** Applies every stored batch newer than what DuckDB has; returns how many. */
  async catchUp(): Promise<number> {
    const batches = await this.store.loadAfter(this.appliedSeq);
    for (const b of batches) await this.applied(b);
    return batches.length;
  }

  /** Folds a batch into DuckDB once, in order (a batch this tab just wrote, or one it read). */
  async applied(batch: StoredBatch): Promise<void> {
    if (batch.seq <= this.appliedSeq) return;
    await this.table.apply(batch);
    this.appliedSeq = batch.seq;
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
