import type { AnalyticsDb } from '../db/analytics-db';
import type { Summary } from '../core/sql/summary';
import { ROLLUP_SUMMARY_SQL } from '../core/sql/rollups';

const EVERY_MS = 1000;

/**
 * The Summary panel's figures, from the rollups: at most one query at a time and one a second,
 * whatever the toot rate (a burst of batches asks many times; it is answered once a second).
 */
export class SummaryState {
  summary = $state.raw<Summary | null>(null);
  queryMs = $state(0);
  memoryBytes = $state(0);
  /** What this origin keeps on disk (IndexedDB and OPFS), from navigator.storage. */
  storedBytes = $state(0);

  private timer: ReturnType<typeof setTimeout> | null = null;
  private dirty = false;
  private running = false;

  constructor(private readonly db: () => AnalyticsDb | null) {}

  /** The data changed: a refresh within the second, or after the one running. */
  soon(): void {
    this.dirty = true;
    if (this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, EVERY_MS);
  }

  async refresh(): Promise<void> {
    const db = this.db();
    if (!db || this.running) return;
    this.running = true;
    this.dirty = false;
    try {
      const t0 = performance.now();
      const [s] = await db.query<Summary>(ROLLUP_SUMMARY_SQL);
      this.queryMs = performance.now() - t0;
      this.summary = s ?? null;
      this.memoryBytes = await db.memoryBytes();
      this.storedBytes = (await navigator.storage?.estimate?.().catch(() => null))?.usage ?? 0;
    } finally {
      this.running = false;
      if (this.dirty) this.soon();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
