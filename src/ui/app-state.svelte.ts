import type { AnalyticsDb } from '../db/analytics-db';
import type { TootRow } from '../core/toot';
import type { RetentionRule } from '../core/sql/retention';
import { parseInstanceUrl, DiscoveryError } from '../sources/discovery';
import type { StreamChannel } from '../core/mastodon';
import { parseFeedKey } from '../core/channel';
import { BatchStore, type StoredBatch } from '../store/wal/batch-store';
import { electCollector, openTabChannel, type TabMessage } from '../store/collector-lock';
import type { Ingest, IngestStatus } from '../store/ingest';
import type { Intake } from '../store/intake';
import type { LocalData, Reloading } from '../store/local-data';
import { savedChannels, Settings } from '../store/settings';
import { InstanceState } from './instance-state.svelte';
import { DemoState } from './demo-state.svelte';
import { SummaryState } from './summary-state.svelte';
import { languageNames } from './language-names';
import { openIntake, openStore, startPositions, type OpenDb } from './open-store';
import { mark } from '../db/startup-marks';
import { finishSignIn, signOut, startSignIn, type ResumeView } from './sign-in-flow';
import { readUrlState } from './url-state';

export type DbStatus = { state: 'loading' } | { state: 'ready'; bundle: string } | { state: 'error'; message: string };
/** `collector`: this tab reads the instances; `viewer`: another tab does, this one shows the data. */
export type TabRole = 'starting' | 'collector' | 'viewer';
/** Where DuckDB's table lives: its database file in OPFS (the collector), or memory (the others). */
export type TableHome = 'file' | 'memory';

/** The page's state: instances, the store, DuckDB, and the figures the panels show. */
export class AppState {
  instances = $state<InstanceState[]>([]);
  db = $state.raw<DbStatus>({ state: 'loading' });
  role = $state<TabRole>('starting');
  tableHome = $state<TableHome | null>(null);
  /**
   * Stored toots being loaded into DuckDB (tens of seconds at a million and more): how far, and
   * the summary the manifest saved, which the panel shows meanwhile. Null once loaded.
   */
  reloading = $state.raw<Reloading | null>(null);
  storage = $state.raw<IngestStatus>({ state: 'ok' });
  persistent = $state(true);
  addError = $state('');
  notice = $state('');
  exporting = $state(false);
  exportError = $state('');
  /** Bumped after every batch lands in DuckDB (and after a restore): panels re-query on change, throttled. */
  dataVersion = $state(0);
  readonly demo: DemoState;
  /** The Summary panel's figures, refreshed at most once a second. */
  readonly figures = new SummaryState(() => this.data?.db ?? null);

  private settings = new Settings();
  private store: BatchStore | null = null;
  private data: LocalData | null = null;
  private ingest: Ingest | null = null;
  private intake: Intake | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private rowListeners = new Set<(row: TootRow) => void>();
  private releaseLock: () => void = () => undefined;
  private tabs: ReturnType<typeof openTabChannel> | null = null;
  private wantDemo = false;
  /** A collector lock was granted and the positions are being read. */
  private becoming = false;
  /** Settles once DuckDB and the stored data are open (or failed to). */
  private opened: Promise<void> = Promise.resolve();

  constructor(private readonly openDb: OpenDb) {
    this.demo = new DemoState((e) => this.intake?.accept(this.demo.baseUrl, e, 'demo'));
  }

  /** `resume`: what the page was doing before it left to sign in (restoreSignInView). */
  async init(search: string, resume: ResumeView | null = null): Promise<void> {
    const signedIn = await finishSignIn(this.settings);
    if (signedIn && 'error' in signedIn) this.notice = signedIn.error;
    const url = readUrlState(search);
    // Which tab collects is settled first: only the collector opens DuckDB's database file, and a
    // row starts in its true state (collecting, or standby behind another tab), never a guess.
    let settled!: () => void;
    const set = new Promise<void>((r) => (settled = r));
    const lock = electCollector('tootscope-collector', () => void set.then(() => this.becomeCollector()));
    this.releaseLock = lock.release;
    const [first, store] = await Promise.all([lock.now, BatchStore.open()]);
    mark('store-open');
    this.store = store;
    this.persistent = store.persistent;
    // Memory-only: no other tab can see this tab's data, so it collects on its own.
    if (!store.persistent) this.releaseLock();
    else this.tabs = openTabChannel((m) => void this.onTabMessage(m));
    const collector = first || !store.persistent;
    this.openIntake(store);
    for (const s of await this.settings.instances()) this.addSaved(s.baseUrl, savedChannels(s), s.paused);
    for (const raw of url.instances) this.add(raw, url.channels.get(raw));
    if (signedIn && 'token' in signedIn && !this.instances.some((i) => i.baseUrl === signedIn.baseUrl)) {
      this.addSaved(signedIn.baseUrl, ['public'], false);
      this.persist();
    }
    this.wantDemo = (url.demo && !url.instances.length) || resume?.demo === true;
    if (resume?.demoRate) this.demo.setRate(resume.demoRate);
    this.ticker = setInterval(() => {
      const now = Date.now();
      for (const i of this.instances) i.tick(now);
      this.demo.tick(now);
      this.compactIfDue();
      if (this.role === 'collector') this.tabs?.post({ type: 'mirror', mirror: { rows: this.instances.map((i) => i.mirror()), demo: this.demo.mirror() } });
    }, 1000);
    // Back online: rows waiting out a backoff try at once rather than minutes later.
    addEventListener('online', () => {
      for (const i of this.instances) if (i.status.state === 'reconnecting') i.retryNow();
    });
    // Collection does not wait for DuckDB (issue 16): rows go to IndexedDB from the first second.
    this.opened = this.openDuckDb(store, collector);
    // Another tab collects: the rows wait in standby, and this tab shows the data.
    if (!collector) this.role = 'viewer';
    if (!collector) for (const i of this.instances) void i.start();
    settled();
    if (collector) await this.becomeCollector();
    await this.opened;
  }

  /** Ingest over IndexedDB alone, and Intake, where every source's events enter it. */
  private openIntake(store: BatchStore): void {
    ({ ingest: this.ingest, intake: this.intake } = openIntake(store, {
      onFlushed: (b) => this.onFlushed(b),
      onStatus: (s) => this.onStorage(s),
      onStored: (base, n) => (base === this.demo.baseUrl ? this.demo.noteStored(n) : this.instances.find((i) => i.baseUrl === base)?.noteStored(n)),
      onFeedStored: (feed, n) => {
        const { baseUrl, channel } = parseFeedKey(feed);
        this.instances.find((i) => i.baseUrl === baseUrl)?.noteFeedStored(channel, n);
      },
      onSkipped: (base, reason) => {
        const inst = this.instances.find((i) => i.baseUrl === base);
        if (inst) inst.noteSkipped(reason);
        else this.demo.warn(`malformed status skipped: ${reason}`);
      },
      onRow: (row) => {
        for (const fn of this.rowListeners) fn(row);
      },
    }));
  }

  /** DuckDB and the stored data (open-store.ts); then the batches collected meanwhile are merged. */
  private async openDuckDb(store: BatchStore, collector: boolean): Promise<void> {
    try {
      const { data, bundle, file } = await openStore(store, this.openDb, collector, {
        onReloading: (r) => {
          this.reloading = r;
          if (r?.saved) this.figures.summary = r.saved;
        },
        onNotice: (m) => (this.notice = m),
      });
      this.tableHome = file ? 'file' : 'memory';
      this.data = data;
      data.onCompaction = (run) => {
        run.catch((err: Error) => {
          this.notice = `Compacting stored toots failed (they are all still stored as batches): ${err.message}`;
        });
      };
      // What was stored before this page started: its own rows are counted as they are stored.
      const counts = await data.countsBySeenOn();
      for (const inst of this.instances) inst.collected += counts.get(inst.baseUrl) ?? 0;
      this.demo.collected += counts.get(this.demo.baseUrl) ?? 0;
      this.ingest?.attach(data);
      this.db = { state: 'ready', bundle };
      mark('ready');
      this.dataVersion++;
      // The first figures at once, not after the throttle's second.
      void this.figures.refresh().then(() => mark('first-summary'), () => undefined);
    } catch (err) {
      this.reloading = null;
      this.db = { state: 'error', message: `DuckDB could not start: ${(err as Error).message}` };
    }
  }

  /**
   * This tab holds the collector lock: catch up with what the last collector stored, then read,
   * each source from where the stored toots end (IndexedDB's positions, without DuckDB).
   */
  private async becomeCollector(): Promise<void> {
    const store = this.store;
    if (this.role === 'collector' || this.becoming || !store) return;
    this.becoming = true;
    if (await this.catchUp()) this.changed();
    this.intake?.resetPositions(await startPositions(store, () => this.opened.then(() => this.data)));
    this.role = 'collector';
    this.becoming = false;
    this.ingest?.start();
    for (const i of this.instances) void i.start();
    // The demo the last collector ran goes on here, counted on from its count.
    const remote = this.demo.remote;
    this.demo.remote = null;
    if (remote) this.demo.collected = Math.max(this.demo.collected, remote.collected);
    if (this.wantDemo || remote?.running) this.demo.start();
  }

  /**
   * Applies what another tab stored. Where that tab compacted past what this one applied, this
   * loads the segments again, reporting through `reloading` as at startup; it ends here.
   */
  private async catchUp(): Promise<number> {
    try {
      return this.data ? await this.data.catchUp() : 0;
    } finally {
      this.reloading = null;
    }
  }

  private async onTabMessage(m: TabMessage): Promise<void> {
    if (m.type === 'batch' && this.role !== 'collector' && this.data) {
      if (await this.catchUp()) this.changed();
    } else if (m.type === 'mirror' && this.role !== 'collector') {
      for (const row of m.mirror.rows) this.instances.find((i) => i.baseUrl === row.baseUrl)?.showMirror(row);
      this.demo.remote = m.mirror.demo;
    } else if (m.type === 'instances') {
      const saved = await this.settings.instances();
      for (const s of saved) {
        const channels = savedChannels(s);
        this.addSaved(s.baseUrl, channels, s.paused);
        // A viewer shows the collector's feeds (it runs no readers of its own).
        const inst = this.instances.find((i) => i.baseUrl === s.baseUrl);
        if (inst && this.role !== 'collector' && inst.channels.join() !== channels.join()) inst.setFeeds(channels);
      }
      for (const i of this.instances.filter((x) => !saved.some((s) => s.baseUrl === x.baseUrl))) this.drop(i);
    }
  }

  private onFlushed(b: StoredBatch): void {
    this.tabs?.post({ type: 'batch', seq: b.seq });
    this.changed();
    this.compactIfDue();
  }

  /** After each flush, and every second (a quiet stream's last rows are due after a while too). */
  private compactIfDue(): void {
    const data = this.data;
    // A failure is reported by `onCompaction`, as for a compaction a full row group set off.
    if (data && this.role === 'collector' && data.wantsCompaction()) data.compact().catch(() => undefined);
  }

  private changed(): void {
    this.dataVersion++;
    this.figures.soon();
  }

  private onStorage(s: IngestStatus): void {
    this.storage = s;
    if (s.state === 'storage-full') {
      for (const i of this.instances) if (!i.paused) i.pause();
      this.demo.stop();
    }
  }

  /** Adds and starts an instance. Returns false (with `addError` set) on a bad URL or a duplicate. */
  add(raw: string, channel: InstanceState['channel'] = 'public'): boolean {
    this.addError = '';
    let baseUrl: string;
    try {
      baseUrl = parseInstanceUrl(raw);
    } catch (err) {
      this.addError = err instanceof DiscoveryError ? err.message : String(err);
      return false;
    }
    const known = this.instances.find((i) => i.baseUrl === baseUrl);
    // A link that names another feed of a listed instance (…/tags/rust) adds that feed to its row.
    if (known && channel !== 'public' && known.addChannel(channel)) return true;
    if (known) {
      this.addError = `${new URL(baseUrl).host} is already in the list`;
      return false;
    }
    this.addSaved(baseUrl, [channel], false);
    this.persist();
    return true;
  }

  private addSaved(baseUrl: string, channels: readonly StreamChannel[], paused: boolean): void {
    if (this.instances.some((i) => i.baseUrl === baseUrl)) return;
    const inst = new InstanceState(baseUrl, {
      onEvent: (i, e, channel) => this.intake?.accept(i.baseUrl, e, undefined, channel),
      lastId: (b, channel) => this.intake?.lastId(b, channel) ?? null,
      coldStart: async (b, channel, ids) => this.intake?.coldStart(b, channel, ids),
      onChanged: () => this.persist(),
      canCollect: () => this.role === 'collector',
      onDiscovered: (info) => {
        if (info.software) void this.settings.saveSoftware(info.baseUrl, info.software).catch(() => undefined);
      },
    });
    inst.setFeeds(channels);
    inst.paused = paused;
    this.instances.push(inst);
    const added = this.instances[this.instances.length - 1]!;
    void this.settings.token(baseUrl).then((token) => {
      added.token = token;
      // Until the tab's role is settled the row says "connecting"; settling starts every row.
      if (this.role !== 'starting') void added.start();
    });
  }

  remove(inst: InstanceState): void {
    this.drop(inst);
    this.persist();
  }

  private drop(inst: InstanceState): void {
    inst.stopSource();
    this.instances = this.instances.filter((i) => i !== inst);
  }

  setToken(inst: InstanceState, token: string): void {
    void this.settings.saveToken(inst.baseUrl, token.trim());
    inst.setToken(token);
  }

  async signIn(inst: InstanceState): Promise<void> {
    try {
      await this.flush();
      await startSignIn(this.settings, inst.baseUrl, { demo: this.demo.running, demoRate: this.demo.rate }, inst.misskey ? 'miauth' : 'oauth');
    } catch (err) {
      inst.warn(`Sign-in could not start: ${(err as Error).message}`);
    }
  }

  async signOut(inst: InstanceState): Promise<void> {
    const token = inst.token;
    inst.setToken('');
    const problem = await signOut(this.settings, inst.baseUrl, token);
    if (problem) inst.warn(problem);
    // MiAuth gives the app no way to end its token by the token itself.
    else if (inst.misskey && token) inst.warn('Signed out: the token is forgotten here. To end it on the server too, remove “Tootscope” from the access tokens in your settings there.');
  }

  private persist(): void {
    void this.settings
      .saveInstances(this.instances.map((i) => ({ baseUrl: i.baseUrl, channel: i.channel, channels: i.channels, paused: i.paused })))
      .then(() => this.tabs?.post({ type: 'instances' }));
  }

  /** Every normalised row as it arrives (before dedup): for live sketches. Returns an unsubscribe. */
  subscribeRows(fn: (row: TootRow) => void): () => void {
    this.rowListeners.add(fn);
    return () => this.rowListeners.delete(fn);
  }

  /** Everything in IndexedDB and DuckDB now, before an export or a page hide. */
  async flush(): Promise<void> {
    await this.ingest?.flush();
  }

  /** The page is going away: what the merges left in DuckDB's write-ahead log goes into the file. */
  async hide(): Promise<void> {
    await this.flush();
    await this.data?.checkpoint();
  }

  resumeStorage(): void {
    this.storage = { state: 'ok' };
    this.ingest?.retry();
    for (const i of this.instances) if (i.paused) i.resume();
  }

  /** Drops what a retention rule excludes, as a stored batch step (so a reload drops the same). */
  prune(rule: RetentionRule): boolean {
    if (this.role !== 'collector' || !this.ingest) return false;
    this.ingest.addPrune(rule);
    return true;
  }

  get settingsStore(): Settings {
    return this.settings;
  }

  /**
   * Runs `fn` with no batch merging meanwhile: the console shares collection's connection, and a
   * statement failing inside a merge's transaction would abort that merge.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.data ? this.data.table.exclusive(fn) : fn();
  }

  /** The stored data (batches, snapshot, DuckDB table), once open: for import. */
  get localData(): LocalData | null {
    return this.data;
  }

  get database(): AnalyticsDb | null {
    return this.data?.db ?? null;
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.figures.dispose();
    this.ingest?.stop();
    for (const i of this.instances) i.stopSource();
    this.demo.stop();
    this.tabs?.close();
    this.releaseLock();
  }
}
