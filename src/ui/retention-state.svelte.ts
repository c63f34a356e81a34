import { droppedCountSql, droppedWhere, ruleFor, type RetentionSetting } from '../core/sql/retention';
import { TOOT_COLUMNS } from '../core/toot';
import { queryToParquet } from '../store/parquet/parquet-wasm';
import { loadParquet } from '../store/parquet/parquet-wasm-browser';
import type { AppState } from './app-state.svelte';
import { downloadBytes } from './download';

/** Re-applies an active rule this often, so a "last 7 days" window keeps moving. */
const APPLY_EVERY_MS = 60_000;

/** The retention setting, what it would drop, export-before-drop, and applying it on a schedule. */
export class RetentionState {
  setting = $state.raw<RetentionSetting>({ mode: 'all' });
  /** Toots the current draft would drop now. */
  wouldDrop = $state<number | null>(null);
  message = $state('');
  busy = $state(false);
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Takes the page's AppState through a getter: a component reads its props in closures only. */
  constructor(private readonly appOf: () => AppState) {}

  private get app(): AppState {
    return this.appOf();
  }

  async load(): Promise<void> {
    this.setting = await this.app.settingsStore.retention();
    this.schedule();
  }

  /** How many toots a setting would drop right now. */
  async preview(draft: RetentionSetting): Promise<void> {
    const rule = ruleFor(draft, Date.now());
    const db = this.app.database;
    if (!rule || !db) {
      this.wouldDrop = rule ? null : 0;
      return;
    }
    const [r] = await db.query<{ n: number }>(droppedCountSql(rule));
    this.wouldDrop = r?.n ?? 0;
  }

  /** Downloads, as Parquet, the toots a setting would drop: export first, then apply. */
  async exportDropped(draft: RetentionSetting): Promise<void> {
    const rule = ruleFor(draft, Date.now());
    const db = this.app.database;
    if (!rule || !db) return;
    this.busy = true;
    try {
      await this.app.flush();
      const cols = TOOT_COLUMNS.map(([n]) => n).join(', ');
      const bytes = await this.app.exclusive(async () =>
        queryToParquet(db, await loadParquet(), `SELECT ${cols} FROM toots WHERE ${droppedWhere(rule)} ORDER BY created_ts, uri`),
      );
      downloadBytes(bytes, `tootscope-outside-retention-${new Date().toISOString().slice(0, 10)}.parquet`, 'application/vnd.apache.parquet');
    } catch (err) {
      this.message = `Export failed: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }

  async apply(draft: RetentionSetting): Promise<void> {
    this.setting = draft;
    await this.app.settingsStore.saveRetention(draft);
    this.message = this.applyNow() || draft.mode === 'all' ? '' : 'Saved. It applies in the tab that collects.';
    this.schedule();
  }

  private applyNow(): boolean {
    const rule = ruleFor(this.setting, Date.now());
    return rule ? this.app.prune(rule) : false;
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = this.setting.mode === 'all' ? null : setInterval(() => this.applyNow(), APPLY_EVERY_MS);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
