/** Compact once the batches since the last compaction hold this many rows (in memory; see `wants`). */
export const COMPACT_MIN_ROWS = 50_000;
/** In a database file, that many rows wait for a row group's checkpoint, or for merges to pause this long. */
export const COMPACT_QUIET_MS = 5000;
/**
 * Or once this long has passed since the last compaction (or the page opened) with any row not yet
 * compacted: a slow stream would otherwise keep its rows as Arrow IPC, ~6× the bytes of a
 * segment, for hours, and a reload would replay them through the merge.
 */
export const COMPACT_AFTER_MS = 5 * 60_000;

/**
 * When the next compaction is due (local-data.ts runs it): the rows no segment holds yet, the
 * time since the last one, whether it failed, and the one under way, if any.
 */
export class CompactionSchedule {
  /** Rows merged since the last compaction's plan counted them. */
  rowsWaiting = 0;
  private last = Date.now();
  private failed = false;
  private running: Promise<boolean> | null = null;

  /** Told of each compaction as it starts: to report a failure, or to time it. */
  onStart: (run: Promise<boolean>) => void = () => undefined;

  /** The compaction under way, or null. */
  get underWay(): Promise<boolean> | null {
    return this.running;
  }

  /**
   * True when enough rows piled up since the last compaction (and, in a database file, merges
   * paused: `quiet`), or they waited long enough.
   */
  wants(now: number, quiet: boolean): boolean {
    if (!this.may(now)) return false;
    return (quiet && this.rowsWaiting >= COMPACT_MIN_ROWS) || now - this.last >= COMPACT_AFTER_MS;
  }

  /** No compaction under way, rows waiting, and not within a full interval of a failed one (a full quota, say). */
  may(now: number): boolean {
    if (this.running || this.rowsWaiting <= 0) return false;
    return !this.failed || now - this.last >= COMPACT_AFTER_MS;
  }

  /** Marks `run` as the compaction under way, and its end (failed or not) as the last compaction. */
  track(run: Promise<boolean>): Promise<boolean> {
    const tracked = run
      .then(
        (done) => {
          this.failed = false;
          return done;
        },
        (err: unknown) => {
          this.failed = true;
          throw err;
        },
      )
      .finally(() => {
        this.running = null;
        this.last = Date.now();
      });
    this.running = tracked;
    this.onStart(tracked);
    return tracked;
  }
}
