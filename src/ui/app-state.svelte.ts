import type { AnalyticsDb } from '../db/analytics-db';
import { SUMMARY_SQL, type Summary } from '../core/sql/summary';
import { InvalidStatusError } from '../core/normalize';
import type { TootRow } from '../core/toot';
import { parseInstanceUrl, DiscoveryError } from '../sources/discovery';
import type { SourceEvent } from '../sources/source';
import { BatchStore } from '../store/batch-store';
import { Ingest, type IngestStatus } from '../store/ingest';
import { Settings } from '../store/settings';
import { TootTable } from '../store/toot-table';
import { InstanceState } from './instance-state.svelte';
import { DemoState } from './demo-state.svelte';
import { languageNames } from './language-names';
import { readUrlState } from './url-state';

export type DbStatus = { state: 'loading' } | { state: 'ready'; bundle: string } | { state: 'error'; message: string };

const SUMMARY_EVERY_MS = 1000;

/** The page's state: instances, the store, DuckDB, and the figures the panels show. */
export class AppState {
  instances = $state<InstanceState[]>([]);
  db = $state.raw<DbStatus>({ state: 'loading' });
  summary = $state.raw<Summary | null>(null);
  summaryMs = $state(0);
  memoryBytes = $state(0);
  storage = $state.raw<IngestStatus>({ state: 'ok' });
  persistent = $state(true);
  addError = $state('');
  exporting = $state(false);
  exportError = $state('');
  /** Bumped after every batch lands in DuckDB (and after a restore): panels re-query on change, throttled. */
  dataVersion = $state(0);
  readonly demo: DemoState;

  private settings = new Settings();
  private dbHandle: AnalyticsDb | null = null;
  private ingest: Ingest | null = null;
  private lastIds = new Map<string, string>();
  private summaryTimer: ReturnType<typeof setTimeout> | null = null;
  private summaryDirty = false;
  private summaryRunning = false;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private rowListeners = new Set<(row: TootRow) => void>();
  /** Events that arrive before the store is restored wait here, in order. */
  private early: Array<() => void> = [];

  constructor(private readonly openDb: () => Promise<AnalyticsDb & { bundle?: string }>) {
    this.demo = new DemoState((e) => this.accept(this.demo.baseUrl, e, 'demo'));
  }

  async init(search: string): Promise<void> {
    const url = readUrlState(search);
    const saved = await this.settings.instances();
    const fromUrl = url.instances.map((u) => ({ raw: u }));
    for (const s of saved) this.addSaved(s.baseUrl, s.channel, s.paused);
    for (const { raw } of fromUrl) this.add(raw);
    if (url.demo && !fromUrl.length) this.demo.start();
    this.ticker = setInterval(() => {
      const now = Date.now();
      for (const i of this.instances) i.tick(now);
      this.demo.tick(now);
    }, 1000);
    await this.openStore();
  }

  private async openStore(): Promise<void> {
    try {
      const db = await this.openDb();
      const table = new TootTable(db);
      await table.init(languageNames());
      const store = await BatchStore.open();
      this.persistent = store.persistent;
      for (const batch of await store.loadAll()) await table.apply(batch);
      this.dbHandle = db;
      const ids = await db.query<{ base_url: string; last_id: string }>(
        `SELECT base_url, max(m_id)::VARCHAR AS last_id FROM (
           SELECT base_url, m_id FROM toots UNION ALL SELECT base_url, id::BIGINT FROM sightings) GROUP BY base_url`,
      );
      for (const r of ids) this.lastIds.set(r.base_url, r.last_id);
      const counts = await db.query<{ base: string; n: number }>(
        'SELECT base, count(*)::INTEGER AS n FROM (SELECT unnest(seen_on) AS base FROM toots) GROUP BY base',
      );
      for (const c of counts) {
        const inst = this.instances.find((i) => i.baseUrl === c.base);
        if (inst) inst.collected += c.n;
      }
      this.ingest = new Ingest(store, table, () => this.onFlushed(), (s) => this.onStorage(s));
      this.ingest.start();
      this.db = { state: 'ready', bundle: db.bundle ?? 'node' };
      this.dataVersion++;
      for (const run of this.early.splice(0)) run();
      this.refreshSummarySoon();
    } catch (err) {
      this.db = { state: 'error', message: `DuckDB could not start: ${(err as Error).message}` };
    }
  }

  private onFlushed(): void {
    this.dataVersion++;
    this.refreshSummarySoon();
  }

  private onStorage(s: IngestStatus): void {
    this.storage = s;
    if (s.state === 'storage-full') {
      for (const i of this.instances) if (!i.paused) i.pause();
      this.demo.stop();
    }
  }

  /** Adds and starts an instance. Returns false (with `addError` set) on a bad URL or a duplicate. */
  add(raw: string): boolean {
    this.addError = '';
    let baseUrl: string;
    try {
      baseUrl = parseInstanceUrl(raw);
    } catch (err) {
      this.addError = err instanceof DiscoveryError ? err.message : String(err);
      return false;
    }
    if (this.instances.some((i) => i.baseUrl === baseUrl)) {
      this.addError = `${new URL(baseUrl).host} is already in the list`;
      return false;
    }
    this.addSaved(baseUrl, 'public', false);
    this.persist();
    return true;
  }

  private addSaved(baseUrl: string, channel: InstanceState['channel'], paused: boolean): void {
    if (this.instances.some((i) => i.baseUrl === baseUrl)) return;
    const inst = new InstanceState(baseUrl, {
      onEvent: (i, e) => this.accept(i.baseUrl, e, null, i),
      lastId: (b) => this.lastIds.get(b) ?? null,
      onChanged: () => this.persist(),
    });
    inst.channel = channel;
    inst.paused = paused;
    this.instances.push(inst);
    const added = this.instances[this.instances.length - 1]!;
    void this.settings.token(baseUrl).then((token) => {
      added.token = token;
      void added.start();
    });
  }

  remove(inst: InstanceState): void {
    inst.stopSource();
    this.instances = this.instances.filter((i) => i !== inst);
    this.persist();
  }

  setToken(inst: InstanceState, token: string): void {
    void this.settings.saveToken(inst.baseUrl, token.trim());
    inst.setToken(token);
  }

  private persist(): void {
    void this.settings.saveInstances(this.instances.map((i) => ({ baseUrl: i.baseUrl, channel: i.channel, paused: i.paused })));
  }

  private accept(baseUrl: string, e: SourceEvent, demo: 'demo' | null, inst?: InstanceState): void {
    if (!this.ingest) {
      this.early.push(() => this.accept(baseUrl, e, demo, inst));
      return;
    }
    if (e.kind === 'delete') {
      this.ingest.addDelete(baseUrl, e.id);
      return;
    }
    try {
      const row = this.ingest.addStatus(e.status, baseUrl, demo ?? e.via);
      for (const fn of this.rowListeners) fn(row);
    } catch (err) {
      if (!(err instanceof InvalidStatusError)) throw err;
      const msg = `malformed status skipped: ${err.message}`;
      if (inst) inst.warn(msg);
      else this.demo.warn(msg);
    }
  }

  /** Every normalised row as it arrives (before dedup): for live sketches. Returns an unsubscribe. */
  subscribeRows(fn: (row: TootRow) => void): () => void {
    this.rowListeners.add(fn);
    return () => this.rowListeners.delete(fn);
  }

  private refreshSummarySoon(): void {
    this.summaryDirty = true;
    if (this.summaryTimer || this.summaryRunning) return;
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = null;
      void this.refreshSummary();
    }, SUMMARY_EVERY_MS);
  }

  /** At most one summary query at a time and one a second, whatever the toot rate. */
  async refreshSummary(): Promise<void> {
    const db = this.dbHandle;
    if (!db || this.summaryRunning) return;
    this.summaryRunning = true;
    this.summaryDirty = false;
    try {
      const t0 = performance.now();
      const [s] = await db.query<Summary>(SUMMARY_SQL);
      this.summaryMs = performance.now() - t0;
      this.summary = s ?? null;
      this.memoryBytes = await db.memoryBytes();
    } finally {
      this.summaryRunning = false;
      if (this.summaryDirty) this.refreshSummarySoon();
    }
  }

  /** Everything in IndexedDB and DuckDB now, before an export or a page hide. */
  async flush(): Promise<void> {
    await this.ingest?.flush();
  }

  resumeStorage(): void {
    this.storage = { state: 'ok' };
    this.ingest?.retry();
    for (const i of this.instances) if (i.paused) i.resume();
  }

  get database(): AnalyticsDb | null {
    return this.dbHandle;
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ingest?.stop();
    for (const i of this.instances) i.stopSource();
    this.demo.stop();
  }
}
