import type { AnalyticsDb } from '../db/analytics-db';
import { CREATE_TABLES, applyTombstones, mergeIncoming, notebookViews } from '../core/sql/schema';
import type { Tombstone } from '../core/toot';

/** One flush of the collector: the unit stored in IndexedDB and folded into DuckDB. */
export interface IngestBatch {
  /** Arrow IPC stream of TootRow rows, or null when the flush held only deletes. */
  ipc: Uint8Array | null;
  deletes: Tombstone[];
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

  apply(batch: IngestBatch): Promise<void> {
    const run = this.queue.then(() => this.applyNow(batch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow({ ipc, deletes }: IngestBatch): Promise<void> {
    await this.db.exec('BEGIN TRANSACTION');
    try {
      if (ipc && ipc.byteLength) {
        await this.db.exec('DROP TABLE IF EXISTS incoming');
        await this.db.insertIPC('incoming', ipc);
        await this.db.exec([...mergeIncoming(), 'DROP TABLE incoming']);
      }
      await this.db.exec(applyTombstones(deletes));
      await this.db.exec('COMMIT');
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
