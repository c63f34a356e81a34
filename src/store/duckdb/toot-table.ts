import type { AnalyticsDb } from '../../db/analytics-db';
import { checkpointAndRelease } from '../../db/release-memory';
import {
  CREATE_TABLES, DELETE_DOOMED, DOOMED_ROWS, DOOMED_VIA_SIGHTINGS, INCOMING_STATS_SQL, mergeCleanup, applyTombstones, batchStatement,
  dropResolved, hitsStatement, REBUILD_URI_KEYS, mergeStatements, notebookViews, resolvedRows, segmentsSql, type IncomingStats,
} from '../../core/sql/schema';
import { CHECKPOINT_ROWS, CHECKPOINT_SETTINGS, rowGroupCuts } from '../../core/sql/checkpoints';
import { CREATE_ROLLUPS, foldRollups, REBUILD_ROLLUPS, START_DELTA, recordDelta } from '../../core/sql/rollups';
import { CUBE_COLUMNS, CUBE_TABLES, CUBES_PRESENT_SQL, DELTA_HOURS_SQL, REBUILD_CUBES, CLEAR_STALE, keepDays, keptPendingSql, missingDaysSql, REFRESH_STALE } from '../../core/sql/cube/cubes';
import type { Tombstone } from '../../core/toot';
import { droppedWhere, pruneStatements, type RetentionRule } from '../../core/sql/retention';
import { localTimeStatements, zoneOffsets } from '../../core/sql/local-time';
import { hash64Hex } from '../../core/sketch/hash';

/** One flush of the collector: the unit stored in IndexedDB and folded into DuckDB. */
export interface IngestBatch {
  /** Arrow IPC stream of TootRow rows, or null when the flush held only deletes. */
  ipc: Uint8Array | null;
  deletes: Tombstone[];
  /** A retention rule applied after this batch's rows and deletes (see core/sql/retention.ts). */
  prune?: RetentionRule;
}

/** The most rows `applyInOrder` merges at once: its `incoming` table is held in memory. */
export const CATCH_UP_ROWS = 50_000;

/** Numbers DuckDB gave as text, `string_agg(…, ',')`: segment ids, the hours of a delta. */
const numberList = (csv: string | null | undefined) => (csv ? csv.split(',').map(Number) : []);

/**
 * Merges paused this long: the kept figures are refreshed (TootTable.refreshWhenQuiet). At 2 s
 * the bench's pauses between generated chunks each set one off: 235 refreshes, 82 s of DuckDB's
 * time, over an ingest of 10 M toots.
 */
export const KEPT_REFRESH_QUIET_MS = 5000;

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

  /** `rowGroupRows` is DuckDB's row group size; tests pass a small one to exercise cut batches. */
  constructor(
    private readonly db: AnalyticsDb,
    private readonly rowGroupRows = CHECKPOINT_ROWS,
  ) {}

  /** `localTime`: the console's local-time objects, by default for the zone this runs in (local-time.ts). */
  async init(languageNames: ReadonlyArray<readonly [string, string]> = [], localTime = localTimeStatements(zoneOffsets())): Promise<void> {
    const values = languageNames.map(([c, n]) => `('${c.replaceAll("'", "''")}', '${n.replaceAll("'", "''")}')`);
    const setup = [
      ...CREATE_TABLES, ...CREATE_ROLLUPS, ...notebookViews(), ...localTime,
      ...(languageNames.length ? ['DELETE FROM language', `INSERT INTO language VALUES ${values.join(', ')}`] : []),
    ];
    const key = `tootscope setup ${hash64Hex(setup.join(';\n'))}`;
    const [found] = await this.db.query<{ n: number; columns: number; keys: number; setup: string | null }>(CUBES_PRESENT_SQL);
    await this.db.exec(CHECKPOINT_SETTINGS);
    // A database file this same set-up made (same statements: same Tootscope, zone and language
    // names) needs none of it again: ~30 statements, ~110 ms of every start (issue 16).
    const cubesKept = found?.n === CUBE_TABLES.length && found.columns === CUBE_COLUMNS;
    if (found?.setup === key && cubesKept && found.keys) return;
    await this.db.exec(setup);
    // A table kept from before a dashboard cube (or one of its columns) or the merge's keys
    // existed gets them computed from the rows once.
    if (!cubesKept) await this.db.exec(REBUILD_CUBES);
    if (!found?.keys) await this.db.exec(REBUILD_URI_KEYS);
    // Last: a start cut short before this runs the whole set-up again.
    await this.db.exec(`COMMENT ON TABLE toot_store IS '${key}'`);
  }

  /** Sequence number of the newest batch applied: read it only inside `exclusive`. */
  appliedSeq = -1;

  /**
   * Set where the table lives in a database file: statements recording what a merge's
   * transaction commits (the batch `seq` once its last part is merged, the dirty segments), run
   * inside that transaction (table-meta.ts). Null in memory.
   */
  persist: ((state: { seq?: number; dirty: number[] }) => string[]) | null = null;

  /** Applies a batch once and in order; a batch with `seq` at or below `appliedSeq` is skipped. */
  apply(batch: IngestBatch & { seq?: number }): Promise<void> {
    return this.exclusive(async () => {
      if (batch.seq !== undefined && batch.seq <= this.appliedSeq) return;
      await this.applyNow(batch, batch.seq);
      if (batch.seq !== undefined) this.appliedSeq = batch.seq;
    });
  }

  /**
   * Applies stored batches as one merge, once and in order: every batch's rows (their IPC streams
   * appended in turn), then all their deletes, then the last one's retention step; `appliedSeq`
   * becomes the last's. Batches at or below `appliedSeq` are skipped. Only the last may carry a
   * retention step: it applies after the rows of every batch before it. The merge reduces its
   * rows to one per uri (first sighting's identity, latest version's content, later arrival on a
   * tie), which over batches laid end to end in order is what merging them one after another
   * leaves; a delete drops its post whether its rows came before or after it.
   */
  applyAsOne(batches: ReadonlyArray<IngestBatch & { seq: number }>): Promise<void> {
    return this.exclusive(async () => {
      const fresh = batches.filter((b) => b.seq > this.appliedSeq);
      const last = fresh.at(-1);
      if (!last) return;
      await this.applyNow({ ipc: null, ipcs: fresh.map((b) => b.ipc), deletes: fresh.flatMap((b) => b.deletes), prune: last.prune }, last.seq);
      this.appliedSeq = last.seq;
    });
  }

  /**
   * Applies stored batches in order, as `apply` would one by one, but folds each run of batches
   * that only add rows (no deletes, no retention step) into one merge (`applyAsOne`) of up to
   * `CATCH_UP_ROWS` rows. A merge costs ~150-280 ms whatever its size up to thousands of rows (its
   * statements, the rollups, the meta row's commit), so a start that replays what a crash left
   * unmerged (42 batches, 25,224 rows: 10.7 s in the kill test) spent its time on that, not on
   * the rows. A run whose merge fails (a batch written by an older Tootscope with other columns,
   * say) is applied batch by batch instead: merging the same rows again changes nothing.
   */
  async applyInOrder(batches: ReadonlyArray<IngestBatch & { seq: number; rows: number }>, onApplied: (b: { seq: number; rows: number }) => void = () => undefined): Promise<void> {
    let run: Array<IngestBatch & { seq: number; rows: number }> = [];
    let runRows = 0;
    const flush = async () => {
      const group = run;
      run = [];
      runRows = 0;
      if (group.length > 1) {
        try {
          await this.applyAsOne(group);
          for (const b of group) onApplied(b);
          return;
        } catch {
          // One by one, below.
        }
      }
      for (const b of group) {
        await this.apply(b);
        onApplied(b);
      }
    };
    for (const b of batches) {
      const addsOnly = !b.deletes.length && !b.prune && !!b.ipc?.byteLength;
      if (!addsOnly || runRows + b.rows > CATCH_UP_ROWS) await flush();
      if (addsOnly) {
        run.push(b);
        runRows += b.rows;
      } else {
        await this.apply(b);
        onApplied(b);
      }
    }
    await flush();
  }

  /** After a bulk load: recomputes the rollups from the table, and where its row group ends. */
  async loaded(): Promise<void> {
    await this.db.exec([...REBUILD_ROLLUPS, REBUILD_URI_KEYS]);
    this.slots = null;
  }

  /** Runs `fn` with no batch being applied meanwhile: what it reads matches `appliedSeq`. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Row slots DuckDB has filled in `toot_store` (deleted rows keep theirs): where the current row
   * group ends. Null when unknown (at start, after a bulk load); read from the table then.
   */
  private slots: number | null = null;

  /** `ipcs`: several batches' rows, in order, merged as one (applyAsOne). */
  private async applyNow({ ipc, ipcs, deletes, prune }: IngestBatch & { ipcs?: ReadonlyArray<Uint8Array | null> }, seq?: number): Promise<void> {
    let stats: IncomingStats | undefined;
    const parts = (ipcs ?? [ipc]).filter((p): p is Uint8Array => !!p?.byteLength);
    if (parts.length) {
      await this.db.exec('DROP TABLE IF EXISTS incoming');
      for (const [i, part] of parts.entries()) await this.db.insertIPC('incoming', part, { append: i > 0 });
      stats = await this.incomingStats();
      // A batch that would fill the current row group and go on into the next is merged in two
      // transactions with a checkpoint between, so every checkpoint compresses whole row groups
      // (core/sql/checkpoints.ts). Merging a batch in parts gives the same table: the merge
      // already takes batches in any cut, as a reload replays them.
      this.slots ??= await this.filledSlots();
      const [cut] = rowGroupCuts(this.slots, stats.n, this.rowGroupRows);
      if (cut !== undefined && cut < stats.n) {
        await this.db.exec([
          'DROP TABLE IF EXISTS incoming_rest',
          'ALTER TABLE incoming RENAME TO incoming_rest',
          `CREATE TEMP TABLE incoming AS SELECT * FROM incoming_rest WHERE rowid < ${cut}`,
        ]);
        await this.transaction(async () => this.merge(await this.incomingStats()));
        await this.checkpointIfFull();
        await this.db.exec([
          `CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM incoming_rest WHERE rowid >= ${cut}`,
          'DROP TABLE incoming_rest',
        ]);
        stats = await this.incomingStats();
      }
    }
    await this.transaction(async () => {
      const touched = stats ? await this.merge(stats) : [];
      if (deletes.length) touched.push(...(await this.tombstones(deletes)));
      if (prune) {
        const [p] = await this.db.query<{ segs: string }>(segmentsSql(`toot_store WHERE ${droppedWhere(prune)}`));
        touched.push(...numberList(p?.segs));
        await this.db.exec([recordDelta(droppedWhere(prune), -1), ...pruneStatements(prune)]);
      }
      return touched;
    }, seq);
    await this.checkpointIfFull();
    this.lastMergeAt = Date.now();
    this.refreshWhenQuiet();
  }

  /** When the last merge ended (ms since the epoch; 0: none yet). */
  lastMergeAt = 0;

  /** One transaction that changes the table and its rollups; `fn` returns the segments it touched, dirty once it commits. */
  private async transaction(fn: () => Promise<number[]>, seq?: number): Promise<void> {
    await this.db.exec(['BEGIN TRANSACTION', START_DELTA]);
    let touched: number[];
    try {
      touched = await fn();
      const meta = this.persist?.({ seq, dirty: [...new Set([...this.dirty, ...touched])] }) ?? [];
      const [delta] = await this.db.query<{ hours: string | null }>(DELTA_HOURS_SQL);
      await this.db.exec([...foldRollups(numberList(delta?.hours)), ...meta, 'COMMIT']);
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
    for (const s of touched) this.dirty.add(s);
  }

  private async incomingStats(): Promise<IncomingStats> {
    const [stats] = await this.db.query<IncomingStats>(INCOMING_STATS_SQL);
    if (!stats) throw new Error('merge: no statistics for the incoming batch');
    return stats;
  }

  /** Slots filled, knowing `from` were: rowids below it are skipped (a few ms, not a scan of the table). */
  private async filledSlots(from = 0): Promise<number> {
    const [r] = await this.db.query<{ n: number }>(`SELECT coalesce(max(rowid) + 1, ${from})::DOUBLE AS n FROM toot_store WHERE rowid >= ${from}`);
    return r?.n ?? from;
  }

  /**
   * Run inside the merge when a row group has filled, just before its checkpoint; `checkpointed`
   * settles once that checkpoint has. Set by LocalData in a database file, whose compaction rides
   * this checkpoint instead of making one of its own (local-data.ts). It must not throw.
   */
  onRowGroup: ((checkpointed: Promise<void>) => Promise<void>) | null = null;

  /** Checkpoints when the merges since the last one filled a row group. */
  private async checkpointIfFull(): Promise<void> {
    const before = this.slots ?? 0;
    this.slots = await this.filledSlots(before);
    if (Math.floor(this.slots / this.rowGroupRows) <= Math.floor(before / this.rowGroupRows)) return;
    let settle: (err?: unknown) => void = () => undefined;
    const checkpointed = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    checkpointed.catch(() => undefined);
    try {
      await this.onRowGroup?.(checkpointed);
      await this.checkpoint();
      settle();
    } catch (err) {
      settle(err ?? new Error('checkpoint failed'));
      throw err;
    }
  }

  /**
   * Brings the kept figures up to date (unless told not to), then checkpoints and gives DuckDB's
   * memory back. Run it inside `exclusive` (or a merge).
   */
  async checkpoint({ refresh = true } = {}): Promise<void> {
    if (refresh) await this.refreshKept();
    await checkpointAndRelease(this.db);
  }

  /**
   * Recomputes the kept per-day figures of the days merged into since (cubes.ts `REFRESH_STALE`),
   * and the once-a-day figures of the days missing them (`keepDays`): 50–70 ms a refresh in the
   * browser at 1.6 M and 10 M toots, and 0.6–0.7 s (1.6 M) or 1.3 s (10 M) more when days get
   * their once-a-day figures (docs/BENCHMARKS.md, twentieth session), so not in every merge.
   * `newest`: the newest day's once-a-day figures too, which wait for a pause in the merges. Run
   * it inside `exclusive`.
   */
  async refreshKept({ newest = false } = {}): Promise<void> {
    const [pending] = await this.db.query<{ n: number }>(keptPendingSql(newest));
    if (!pending?.n) return;
    await this.db.exec('BEGIN TRANSACTION');
    try {
      await this.db.exec(REFRESH_STALE);
      const days = await this.db.query<{ day: number }>(missingDaysSql(newest));
      await this.db.exec([...keepDays(days.map((d) => d.day)), CLEAR_STALE, 'COMMIT']);
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** How long merges must pause before the kept figures are refreshed. */
  refreshQuietMs = KEPT_REFRESH_QUIET_MS;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * An import that ends or a stream that pauses gets its kept figures refreshed, so the charts
   * read them instead of counting the stale days from the cubes (tens of ms a chart round).
   * While merges keep coming the timer keeps moving: the checkpoints refresh them then.
   */
  private refreshWhenQuiet(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      void this.exclusive(() => this.refreshKept({ newest: true })).catch(() => undefined);
    }, this.refreshQuietMs);
  }

  /** Folds the batch in `incoming` (with `stats`) into the table; returns the segments whose rows it changed. */
  private async merge(stats: IncomingStats): Promise<number[]> {
    const touched: number[] = [];
    await this.db.exec([batchStatement(stats), hitsStatement(stats)]);
    const [hits] = await this.db.query<{ n: number; segs: string }>(segmentsSql('hits'));
    touched.push(...numberList(hits?.segs));
    const plan = mergeStatements(stats, hits?.n ?? 0);
    if (plan.hitRows && plan.update) {
      await this.db.exec([recordDelta(plan.hitRows, -1), plan.update, recordDelta(plan.hitRows, 1)]);
    }
    await this.db.exec([recordDelta(plan.newRows, 1, 'batch'), plan.insert, ...plan.after]);
    const [resolved] = await this.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM resolved');
    if (resolved && resolved.n > 0) {
      const [rows] = await this.db.query<{ n: number; segs: string }>(segmentsSql(`toot_store t WHERE ${resolvedRows(stats)}`));
      touched.push(...numberList(rows?.segs));
      await this.db.exec([recordDelta(resolvedRows(stats), -1), ...dropResolved(stats)]);
    }
    await this.db.exec([...mergeCleanup(stats), 'DROP TABLE incoming']);
    return touched;
  }

  private async tombstones(deletes: Tombstone[]): Promise<number[]> {
    await this.db.exec(applyTombstones(deletes));
    const [via] = await this.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM via');
    if (via && via.n > 0) await this.db.exec(DOOMED_VIA_SIGHTINGS);
    const [doomed] = await this.db.query<{ n: number; segs: string }>(segmentsSql('doomed'));
    await this.db.exec([recordDelta(DOOMED_ROWS, -1), ...DELETE_DOOMED]);
    return numberList(doomed?.segs);
  }
}
