import type { AnalyticsDb } from '../db/analytics-db';
import { BatchStore, type StoredBatch } from './wal/batch-store';
import { TootTable } from './duckdb/toot-table';
import { loadSnapshot, readSideTables, segmentIpc, type LoadProgress, type ParquetCodec, type SegmentRef, type Snapshot } from './archive/snapshot';
import { ROLLUP_SUMMARY_SQL } from '../core/sql/rollups';
import { idOrderSql } from '../core/status-id';
import { CREATE_META, readMeta, updateMeta, writeMeta, type PendingCompaction } from './duckdb/table-meta';
import type { Summary } from '../core/sql/summary';
import { nextManifest, type CompactionPlan, type WrittenSegment } from './archive/compaction-plan';
import { COMPACT_QUIET_MS, CompactionSchedule } from './archive/compaction-schedule';

/**
 * A load of stored segments under way: how far it is, and the summary the manifest saved, which
 * is what the table will say once loaded (before any later batch is replayed).
 */
export interface Reloading extends LoadProgress {
  saved: Summary | null;
  savedAt: number;
}

/** A manifest's stored summary with the progress of its load. */
const reloading = (snap: Snapshot, p: LoadProgress): Reloading => ({ saved: snap.summary ?? null, savedAt: snap.writtenAt, ...p });

/**
 * Segments with fewer rows are merged into the next compaction's new segment (and dropped), so
 * compacting a slow stream every few minutes leaves segments of 25-50 k rows, not hundreds of
 * small ones. Re-encoding them costs at most this many rows per compaction.
 */
export const MERGE_BELOW_ROWS = 25_000;

export interface OpenOptions {
  /** The IndexedDB store (default: the app's own). */
  store?: BatchStore;
  /** Told how a load of stored segments is getting on (a reload, or another tab's compaction). */
  onLoad?: (r: Reloading) => void;
  /** MERGE_BELOW_ROWS; tests that look at single segments pass 0. */
  mergeBelowRows?: number;
  /** DuckDB's row group size (CHECKPOINT_ROWS); tests pass a small one to fill row groups. */
  rowGroupRows?: number;
  /**
   * `db` is DuckDB's database file (table-file.ts), checked by `fileProblem`: the table resumes
   * from what its meta row says it holds, and every change records itself there.
   */
  file?: boolean;
  /**
   * Leave the batches this page appended (`store.firstAppended` on) to the Ingest that wrote
   * them: collection started before DuckDB, and that Ingest counts and merges its own batches.
   */
  leaveOwnBatches?: boolean;
}

/**
 * The data this browser holds: zstd Parquet segments named by a manifest plus the batches written
 * since, in IndexedDB, and the DuckDB table built from them. The table's `appliedSeq` is the newest
 * batch DuckDB has seen, so any tab can catch up with batches another tab wrote, and a reload
 * loads the segments and replays only the later batches.
 *
 * A compaction writes the rows no segment holds yet as a new segment and rewrites the segments
 * whose rows later batches changed (`TootTable.dirty`): its cost follows what changed, never the
 * size of the whole table.
 */
export class LocalData {
  /** When the next compaction is due. */
  private readonly schedule = new CompactionSchedule();
  /** Segments the loaded manifest (or this tab's last compaction) names. */
  private segments: SegmentRef[] = [];
  /** The new segment and the rewrites of a compaction between its plan and its commit. */
  private pending: number[] = [];
  /** The table lives in a database file whose meta row (duckdb/table-meta.ts) is kept current. */
  private file = false;

  private constructor(
    readonly db: AnalyticsDb,
    readonly table: TootTable,
    readonly store: BatchStore,
    private readonly codec: () => Promise<ParquetCodec>,
    private readonly onLoad: (r: Reloading) => void,
    private readonly mergeBelowRows: number,
  ) {}

  static async open(
    db: AnalyticsDb,
    languageNames: ReadonlyArray<readonly [string, string]>,
    codec: () => Promise<ParquetCodec>,
    opts: OpenOptions = {},
  ): Promise<LocalData> {
    const table = new TootTable(db, opts.rowGroupRows);
    await table.init(languageNames);
    const store = opts.store ?? (await BatchStore.open());
    const data = new LocalData(db, table, store, codec, opts.onLoad ?? (() => undefined), opts.mergeBelowRows ?? MERGE_BELOW_ROWS);
    if (opts.file) await data.resumeFile();
    // Read after the batches are listed: a batch in IndexedDB already has its `firstAppended`.
    await data.catchUp(opts.leaveOwnBatches ? () => store.firstAppended ?? Infinity : () => Infinity);
    return data;
  }

  /**
   * The summary stored with the manifest, read from IndexedDB alone: the page can show it while
   * DuckDB starts (about a second), before `open` loads anything.
   */
  static async storedSummary(store: BatchStore): Promise<Reloading | null> {
    const snap = await store.snapshot();
    return snap?.summary ? reloading(snap, { loaded: 0, total: snap.rows }) : null;
  }

  /**
   * Takes up the state a database file holds: the batches applied, the manifest its `seg` tags
   * follow, the changed segments. A compaction the file planned but IndexedDB never committed is
   * undone as a failed one is; one that committed is adopted. A new file gets its meta row (after
   * the load, when there is a manifest to load: a load cut short leaves a file without one).
   */
  private async resumeFile(): Promise<void> {
    this.file = true;
    await this.db.exec(CREATE_META);
    const { meta } = await readMeta(this.db);
    const snap = (await this.store.snapshotSeq()) >= 0 ? await this.store.snapshot() : null;
    if (meta) {
      this.table.appliedSeq = meta.appliedSeq;
      for (const d of meta.dirty) this.table.dirty.add(d);
      this.segments = snap?.segments ?? [];
      const p = meta.pending;
      if (p && p.seq === (snap?.upToSeq ?? -1)) {
        await this.db.exec(updateMeta({ manifestSeq: snap!.upToSeq, manifestAt: snap!.writtenAt, pending: null }));
      } else if (p) {
        await this.undo(p.id, p.rewrite, p.merged);
      }
      const [n] = await this.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toot_store WHERE seg IS NULL');
      this.schedule.rowsWaiting = n?.n ?? 0;
    } else if (!snap) {
      await this.db.exec(writeMeta({ appliedSeq: -1, manifestSeq: -1, manifestAt: 0, dirty: [], pending: null }));
    }
    this.table.onRowGroup = (checkpointed) => this.compactWithRowGroup(checkpointed);
    this.table.persist = ({ seq, dirty }) => [updateMeta({ dirty, ...(seq === undefined ? {} : { appliedSeq: seq }) })];
  }

  get appliedSeq(): number {
    return this.table.appliedSeq;
  }

  /**
   * Names the data every chart's answer depends on besides its SQL: the newest batch merged (every
   * change to the toots comes with one: merges, deletes, retention, imports), the one-row summary
   * and the first and last hour (so a collection started afresh at the same sequence number
   * differs: down to the total of characters) and the language names.
   * Two equal stamps mean equal tables, so a saved answer taken under one is DuckDB's answer
   * under the other (ui/charts-state.svelte.ts). Read inside `exclusive`: no merge in between.
   */
  stamp(): Promise<string> {
    return this.table.exclusive(async () => {
      const [row] = await this.db.query<Record<string, unknown>>(
        `SELECT s.*, (SELECT [min(ts), max(ts)] FROM agg_hour) AS hours,
           (SELECT hash(string_agg(lang_iso || '=' || language_name, ',' ORDER BY lang_iso)) FROM language) AS names
         FROM rollup_summary s`,
      );
      return JSON.stringify([this.table.appliedSeq, row ?? null], (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    });
  }

  /**
   * Applies what IndexedDB holds beyond what DuckDB has. When a snapshot covers batches this tab
   * never applied (another tab compacted them away), the tables are rebuilt from the snapshot.
   * Returns how many batches (or snapshots) were applied; only those numbered below `below()`.
   */
  async catchUp(below: () => number = () => Infinity): Promise<number> {
    let applied = 0;
    const snapSeq = await this.store.snapshotSeq();
    if (snapSeq > this.table.appliedSeq) {
      const snap = await this.store.snapshot();
      if (snap) {
        const codec = await this.codec();
        await this.table.exclusive(async () => {
          if (this.file) await this.db.exec('DELETE FROM table_meta');
          await loadSnapshot(this.db, snap, (id) => this.store.segment(id), codec, (p) => this.onLoad(reloading(snap, p)));
          await this.table.loaded();
          this.table.appliedSeq = snap.upToSeq;
          this.table.dirty.clear();
          this.segments = snap.segments ?? [];
          this.schedule.rowsWaiting = snap.toots ? snap.rows : 0;
          if (this.file) {
            await this.db.exec(writeMeta({ appliedSeq: snap.upToSeq, manifestSeq: snap.upToSeq, manifestAt: snap.writtenAt, dirty: [], pending: null }));
            await this.db.exec('CHECKPOINT');
          }
        });
        applied++;
      }
    }
    const listed = await this.store.loadAfter(this.table.appliedSeq);
    const limit = below();
    const batches = listed.filter((b) => b.seq < limit);
    await this.table.applyInOrder(batches, (b) => (this.schedule.rowsWaiting += b.rows));
    return applied + batches.length;
  }

  /**
   * Folds batches into DuckDB once, in order, as one merge (TootTable.applyAsOne): batches this
   * tab just wrote, or one it read.
   */
  async applied(...batches: StoredBatch[]): Promise<void> {
    await this.table.applyAsOne(batches);
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
    this.schedule.rowsWaiting += rows;
  }

  /**
   * True when enough rows piled up since the last compaction, or they waited long enough. In a
   * database file, while merges keep coming, a compaction by size comes with each row group's
   * checkpoint (`compactWithRowGroup`) instead: one of its own costs a checkpoint.
   */
  wantsCompaction(now = Date.now()): boolean {
    return this.schedule.wants(now, !this.file || now - this.table.lastMergeAt >= COMPACT_QUIET_MS);
  }

  /** Told of each compaction as it starts, those a full row group sets off included: to report a failure, or to time it. */
  set onCompaction(fn: (run: Promise<boolean>) => void) {
    this.schedule.onStart = fn;
  }

  /**
   * Writes the rows no segment holds and rewrites changed segments, then commits the new manifest
   * and drops the batches it covers, atomically (BatchStore.commitCompaction). Returns false when
   * there was nothing to do.
   */
  compact(): Promise<boolean> {
    return this.schedule.underWay ?? this.schedule.track((async () => {
      const codec = await this.codec();
      const storedSeq = await this.store.snapshotSeq();
      // Inside `exclusive`: the rows read, the side tables and `seq` describe one state. Encoding
      // runs after it, so batches keep being applied meanwhile; a batch that changes a segment being
      // written marks it dirty again, and it is kept (seq > upToSeq) until a later compaction.
      const plan = await this.table.exclusive(() => this.plan(storedSeq));
      if (!plan) return false;
      await this.commit(plan, codec);
      return true;
    })());
  }

  /**
   * In a database file, inside the merge that filled a row group (TootTable.onRowGroup): plans a
   * compaction there, so the row group's checkpoint also holds its tags, and commits it once that
   * checkpoint is done. A compaction by size used to make a checkpoint of its own afterwards (the
   * file must hold every row of the batches the commit deletes, or the next open rebuilds it);
   * those were ~20 of the 34 checkpoints, and ~30 s of DuckDB's time, over an ingest of 1.6 M
   * toots (docs/BENCHMARKS.md). Never throws: a failure is the compaction's, not the merge's.
   */
  private async compactWithRowGroup(checkpointed: Promise<void>): Promise<void> {
    if (!this.schedule.may(Date.now())) return;
    let plan: CompactionPlan | null;
    try {
      plan = await this.plan(await this.store.snapshotSeq());
    } catch (err) {
      this.schedule.track(Promise.reject(err as Error)).catch(() => undefined);
      return;
    }
    if (!plan) return;
    const planned = plan;
    this.schedule.track((async () => {
      await this.commit(planned, await this.codec(), checkpointed);
      return true;
    })()).catch(() => undefined);
  }

  /**
   * Tags the rows no segment holds (and those of segments to be merged) with the new segment's
   * id, and reads what the compaction writes. Run inside `exclusive`. Null: nothing to do.
   */
  private async plan(storedSeq: number): Promise<CompactionPlan | null> {
    const seq = this.table.appliedSeq;
    if (seq < 0 || seq <= storedSeq) return null;
    const counted = this.schedule.rowsWaiting;
    const id = this.segments.reduce((m, s) => Math.max(m, s.id), -1) + 1;
    const merged = this.segments.filter((s) => s.rows < this.mergeBelowRows).map((s) => s.id);
    const rewrite = [...this.table.dirty].filter((d) => !merged.includes(d) && this.segments.some((s) => s.id === d));
    const tag = `UPDATE toot_store SET seg = ${id} WHERE seg IS NULL${merged.length ? ` OR seg IN (${merged.join(', ')})` : ''}`;
    // In a file, the tags and the plan are one transaction: a reopen undoes or adopts the plan as a whole.
    const planned: PendingCompaction = { seq, id, rewrite, merged };
    await this.change(tag, updateMeta({ dirty: [], pending: planned }));
    this.table.dirty.clear();
    // Merged segments are unsettled too: until the commit their stored bytes still count.
    this.pending = [...rewrite, ...merged, id];
    const parts: Array<{ id: number; ipc: Uint8Array; rows: number; rebuild: string[] }> = [];
    try {
      for (const seg of [...rewrite, id]) parts.push({ id: seg, ...(await segmentIpc(this.db, seg)) });
      const [summary] = await this.db.query<Summary>(ROLLUP_SUMMARY_SQL);
      return { seq, id, rewrite, merged, parts, counted, side: await readSideTables(this.db), summary };
    } catch (err) {
      await this.undo(id, rewrite, merged);
      throw err;
    }
  }

  /**
   * Encodes the plan's segments and commits the new manifest, deleting the batches it covers. In
   * a file, `checkpointed` is the checkpoint that already holds the plan's tags and rows; without
   * one the compaction checkpoints after its commit, so the next open does not replay its rows.
   */
  private async commit(plan: CompactionPlan, codec: ParquetCodec, checkpointed?: Promise<void>): Promise<void> {
    let writtenAt = 0;
    try {
      const written: WrittenSegment[] = [];
      for (const p of plan.parts) if (p.rows) written.push({ id: p.id, ...(await codec.writeSegment(p.ipc, p.rebuild)), rows: p.rows });
      const { manifest, dropped } = nextManifest(this.segments, plan, written, Date.now());
      // The batches it deletes must be in the file's checkpointed blocks first.
      await checkpointed;
      await this.store.commitCompaction(manifest, written, dropped);
      writtenAt = manifest.writtenAt;
      this.segments = manifest.segments;
      this.pending = [];
      this.schedule.rowsWaiting = Math.max(0, this.schedule.rowsWaiting - plan.counted);
    } catch (err) {
      await this.table.exclusive(() => this.undo(plan.id, plan.rewrite, plan.merged));
      throw err;
    }
    if (this.file) {
      await this.table.exclusive(() => this.db.exec(updateMeta({ manifestSeq: plan.seq, manifestAt: writtenAt, pending: null })));
      // The kept figures wait for the next row group or a pause (TootTable.refreshKept).
      if (!checkpointed) void this.checkpoint();
    }
  }

  /**
   * Writes what DuckDB's write-ahead log holds into the database file (after a compaction, when
   * the page is hidden), so the next open replays little. Queued with the merges, never awaited
   * by collection: batches keep reaching IndexedDB meanwhile. A failure costs only that.
   * The kept per-day figures are not refreshed first (TootTable.refreshKept): when the page was
   * hidden, a reload right after then came back to a file without its last merges (the batches
   * were replayed; e2e table-file), the refresh's transaction being cut off by the unload. The
   * stale days are kept in the file and the next open counts them from the cubes.
   */
  async checkpoint(): Promise<void> {
    if (!this.file) return;
    await this.table.exclusive(() => this.table.checkpoint({ refresh: false })).catch(() => undefined);
  }

  /**
   * After a failed compaction: the new segment's rows, merged ones included, are unsegmented again
   * and the rewrites still due. The merged segments now hold none of this tab's rows, so they are
   * marked changed: the export does not copy their stored bytes, and the next compaction merges
   * them again (or, rewriting them empty, drops them).
   */
  private async undo(id: number, rewrite: readonly number[], merged: readonly number[]): Promise<void> {
    const untag = `UPDATE toot_store SET seg = NULL WHERE seg = ${id}`;
    for (const d of [...rewrite, ...merged]) this.table.dirty.add(d);
    await this.change(untag, updateMeta({ dirty: [...this.table.dirty], pending: null }));
    this.pending = [];
  }

  /** `statement`; in a file, in one transaction with `meta`, the meta row's record of it. */
  private async change(statement: string, meta: string): Promise<void> {
    if (!this.file) return this.db.exec(statement);
    try {
      await this.db.exec(['BEGIN TRANSACTION', statement, meta, 'COMMIT']);
    } catch (err) {
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * For the export, inside `table.exclusive`: the segments whose stored bytes equal this tab's rows
   * with that `seg`, and the `seg` values whose rows have to be encoded afresh: changed segments,
   * and those a compaction is writing (tagged in DuckDB, not yet stored or not yet rewritten).
   */
  segmentsForExport(): { clean: SegmentRef[]; unsettled: number[] } {
    const unsettled = new Set([...this.table.dirty, ...this.pending]);
    return { clean: this.segments.filter((s) => !unsettled.has(s.id)), unsettled: [...unsettled] };
  }

  /** Highest status id stored per instance: where polling and backfill continue from. */
  async lastIds(): Promise<Map<string, string>> {
    const rows = await this.db.query<{ base_url: string; last_id: string }>(
      // By `id`, not `m_id`: a GoToSocial or Misskey id has no `m_id` (src/core/status-id.ts).
      `SELECT base_url, arg_max(id, ${idOrderSql('id')}) AS last_id FROM (
         SELECT base_url, id FROM toots UNION ALL SELECT base_url, id FROM sightings) GROUP BY base_url`,
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
