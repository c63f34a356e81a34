import type { AnalyticsDb } from '../db/analytics-db';
import {
  CREATE_TABLES, DELETE_DOOMED, DOOMED_ROWS, DOOMED_VIA_SIGHTINGS, INCOMING_STATS_SQL, mergeCleanup, applyTombstones, batchStatement,
  dropResolved, hitsStatement, mergeStatements, notebookViews, resolvedRows, segmentsSql, type IncomingStats,
} from '../core/sql/schema';
import { CHECKPOINT_ROWS, CHECKPOINT_SETTINGS } from '../core/sql/checkpoints';
import { CREATE_ROLLUPS, FOLD_ROLLUPS, REBUILD_ROLLUPS, START_DELTA, recordDelta } from '../core/sql/rollups';
import type { Tombstone } from '../core/toot';
import { droppedWhere, pruneStatements, type RetentionRule } from '../core/sql/retention';

/** One flush of the collector: the unit stored in IndexedDB and folded into DuckDB. */
export interface IngestBatch {
  /** Arrow IPC stream of TootRow rows, or null when the flush held only deletes. */
  ipc: Uint8Array | null;
  deletes: Tombstone[];
  /** A retention rule applied after this batch's rows and deletes (see core/sql/retention.ts). */
  prune?: RetentionRule;
}

const segList = (csv: string | null | undefined) => (csv ? csv.split(',').map(Number) : []);

/**
 * The `toots` table in DuckDB and the way batches enter it. Batches are applied strictly one at a
 * time: a later merge must see the earlier one's rows, and duckdb-wasm connections are not
 * safe for interleaved transactions. It also tracks which stored segments a batch changed
 * (`dirty`), so the next compaction rewrites exactly those.
 */
export class TootTable {
  private queue: Promise<unknown> = Promise.resolve();
  /** Stored segments whose rows were updated or deleted since they were written. */
  readonly dirty = new Set<number>();

  constructor(private readonly db: AnalyticsDb) {}

  async init(languageNames: ReadonlyArray<readonly [string, string]> = []): Promise<void> {
    await this.db.exec([...CHECKPOINT_SETTINGS, ...CREATE_TABLES, ...CREATE_ROLLUPS, ...notebookViews()]);
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

  /** Recomputes the rollups from the table, after a bulk load. */
  rebuildRollups(): Promise<void> {
    return this.db.exec(REBUILD_ROLLUPS);
  }

  /** Runs `fn` with no batch being applied meanwhile: what it reads matches `appliedSeq`. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Rows appended since DuckDB last compressed the table (core/sql/checkpoints.ts). */
  private uncompressedRows = 0;

  private async applyNow({ ipc, deletes, prune }: IngestBatch): Promise<void> {
    const touched: number[] = [];
    let appended = 0;
    await this.db.exec(['BEGIN TRANSACTION', START_DELTA]);
    try {
      if (ipc && ipc.byteLength) {
        const merged = await this.merge(ipc);
        touched.push(...merged.touched);
        appended = merged.rows;
      }
      if (deletes.length) touched.push(...(await this.tombstones(deletes)));
      if (prune) {
        const [p] = await this.db.query<{ segs: string }>(segmentsSql(`toot_store WHERE ${droppedWhere(prune)}`));
        touched.push(...segList(p?.segs));
        await this.db.exec([recordDelta(droppedWhere(prune), -1), ...pruneStatements(prune)]);
      }
      await this.db.exec([...FOLD_ROLLUPS, 'COMMIT']);
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
    for (const s of touched) this.dirty.add(s);
    this.uncompressedRows += appended;
    if (this.uncompressedRows >= CHECKPOINT_ROWS) {
      await this.db.exec('CHECKPOINT');
      this.uncompressedRows = 0;
    }
  }

  /** Folds one batch in; returns the segments whose rows it changed and how many rows it held. */
  private async merge(ipc: Uint8Array): Promise<{ touched: number[]; rows: number }> {
    const touched: number[] = [];
    await this.db.exec('DROP TABLE IF EXISTS incoming');
    await this.db.insertIPC('incoming', ipc);
    const [stats] = await this.db.query<IncomingStats>(INCOMING_STATS_SQL);
    if (!stats) throw new Error('merge: no statistics for the incoming batch');
    await this.db.exec([batchStatement(stats), hitsStatement(stats)]);
    const [hits] = await this.db.query<{ n: number; segs: string }>(segmentsSql('hits'));
    touched.push(...segList(hits?.segs));
    const plan = mergeStatements(stats, hits?.n ?? 0);
    if (plan.hitRows && plan.update) {
      await this.db.exec([recordDelta(plan.hitRows, -1), plan.update, recordDelta(plan.hitRows, 1)]);
    }
    await this.db.exec([recordDelta(plan.newRows, 1, 'batch'), plan.insert, ...plan.after]);
    const [resolved] = await this.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM resolved');
    if (resolved && resolved.n > 0) {
      const [rows] = await this.db.query<{ n: number; segs: string }>(segmentsSql(`toot_store t WHERE ${resolvedRows(stats)}`));
      touched.push(...segList(rows?.segs));
      await this.db.exec([recordDelta(resolvedRows(stats), -1), ...dropResolved(stats)]);
    }
    await this.db.exec([...mergeCleanup(stats), 'DROP TABLE incoming']);
    return { touched, rows: stats.n };
  }

  private async tombstones(deletes: Tombstone[]): Promise<number[]> {
    await this.db.exec(applyTombstones(deletes));
    const [via] = await this.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM via');
    if (via && via.n > 0) await this.db.exec(DOOMED_VIA_SIGHTINGS);
    const [doomed] = await this.db.query<{ n: number; segs: string }>(segmentsSql('doomed'));
    await this.db.exec([recordDelta(DOOMED_ROWS, -1), ...DELETE_DOOMED]);
    return segList(doomed?.segs);
  }
}
