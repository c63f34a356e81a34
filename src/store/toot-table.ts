import type { AnalyticsDb } from '../db/analytics-db';
import { CREATE_TABLES, applyTombstones, mergeIncoming, notebookViews } from '../core/sql/schema';
import type { Tombstone } from '../core/toot';
import { pruneStatements, type RetentionRule } from '../core/sql/retention';

/** One flush of the collector: the unit stored in IndexedDB and folded into DuckDB. */
export interface IngestBatch {
  /** Arrow IPC stream of TootRow rows, or null when the flush held only deletes. */
  ipc: Uint8Array | null;
  deletes: Tombstone[];
  /** A retention rule applied after this batch's rows and deletes (see core/sql/retention.ts). */
  prune?: RetentionRule;
}

/**
 * The `toots` table in DuckDB and the way batches enter it. Batches are applied strictly one at a
 * time: a later merge must see the earlier one's rows, and duckdb-wasm connections are not
 * safe for interleaved transactions.
 */
export class TootTable {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: AnalyticsDb) {}

  async init(languageNames: ReadonlyArray<readonly [string, string]> = []): Promise<void> {
    await this.db.exec([...CREATE_TABLES, ...notebookViews()]);
    if (languageNames.length) {
      const values = languageNames.map(([c, n]) => `('${c.replaceAll("'", "''")}', '${n.replaceAll("'", "''")}')`);
      await this.db.exec(['DELETE FROM language', `INSERT INTO language VALUES ${values.join(', ')}`]);
    }
  }

  /** Sequence number of the newest batch applied: read it only inside `exclusive`. */
  appliedSeq = -1;

  /** Applies a batch once and in order; a batch with `seq` at or below `appliedSeq` is skipped. */
  apply(batch: IngestBatch & { seq?: number }): Promise<void> {
    return this.exclusive(async () => {
      if (batch.seq !== undefined && batch.seq <= this.appliedSeq) return;
      await this.applyNow(batch);
      if (batch.seq !== undefined) this.appliedSeq = batch.seq;
    });
  }

  /** Runs `fn` with no batch being applied meanwhile: what it reads matches `appliedSeq`. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow({ ipc, deletes, prune }: IngestBatch): Promise<void> {
    await this.db.exec('BEGIN TRANSACTION');
    try {
      if (ipc && ipc.byteLength) {
        await this.db.exec('DROP TABLE IF EXISTS incoming');
        await this.db.insertIPC('incoming', ipc);
        await this.db.exec([...mergeIncoming(), 'DROP TABLE incoming']);
      }
      await this.db.exec(applyTombstones(deletes));
      if (prune) await this.db.exec(pruneStatements(prune));
      await this.db.exec('COMMIT');
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
