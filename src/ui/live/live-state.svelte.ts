import { flushSync } from 'svelte';
import { Throttle } from '../../charts/throttle';
import { encodeRows, exactLiveSql, type ExactFigures } from '../../core/sketch/live-sketches';
import type { FromWorker, LiveSnapshot, SnapshotQuery, ToWorker } from '../../core/sketch/protocol';
import type { TootRow } from '../../core/toot';
import type { AppState } from '../app-state.svelte';

type Item = object;

/** Shallow equality of two plain records. */
function same(a: Item, b: Item): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

function reuse<T extends Item>(prev: readonly T[] | undefined, next: T[], key: (t: T) => unknown): T[] {
  if (!prev?.length) return next;
  const old = new Map(prev.map((p) => [key(p), p]));
  return next.map((n) => {
    const o = old.get(key(n));
    return o && same(o, n) ? o : n;
  });
}

/**
 * A snapshot arrives as new objects every second. Svelte updates (and, past a few updates,
 * traces with a captured stack) every list item whose object changed, so items equal to the
 * previous snapshot's are replaced by those: only what really changed is redrawn.
 */
function reuseUnchanged(prev: LiveSnapshot | null, next: LiveSnapshot): LiveSnapshot {
  return {
    ...next,
    languages: reuse(prev?.languages, next.languages, (l) => l.code),
    words: reuse(prev?.words, next.words, (e) => e.key),
    hashtags: reuse(prev?.hashtags, next.hashtags, (e) => e.key),
    reservoir: reuse(prev?.reservoir, next.reservoir, (r) => r.uri),
    lengths: { ...next.lengths, quantiles: reuse(prev?.lengths.quantiles, next.lengths.quantiles, (q) => q.q) },
  };
}

/**
 * Applies pending DOM updates and lays the page out now, so that the redraw's cost (Svelte's
 * updates, style and layout) falls inside the measured stretch instead of the next frame. Once a
 * second, after all writes, so it forces no more layout than the frame would have done.
 */
function redrawNow(): void {
  flushSync();
  if (typeof document !== 'undefined') void document.body?.offsetHeight;
}

/** Rows go to the worker in one message at most this often. */
export const POST_EVERY_MS = 250;
/** Snapshots and exact figures: at most one a second each. */
export const SNAPSHOT_EVERY_MS = 1000;
export const EXACT_EVERY_MS = 1000;
/** The exact figures scan every toot: at most a third of the DuckDB worker's time (see charts-state). */
const EXACT_BUSY_SHARE = 1 / 3;
/** The cost figure shown is main-thread time over this window, per second. */
const COST_WINDOW_MS = 10_000;

export type WorkerFactory = () => Worker;

const defaultWorker: WorkerFactory = () =>
  new Worker(new URL('../../workers/sketch-worker.ts', import.meta.url), { type: 'module', name: 'tootscope-sketches' });

/**
 * The live panel's state on the page's thread. Its own work is kept small and measured: rows are
 * queued by reference (one array push each) and sent to the sketch worker as slim records every
 * POST_EVERY_MS; a snapshot is asked for once a second and the panel redrawn from it; DuckDB's
 * exact counterparts are queried at most once a second when data lands. Every synchronous
 * stretch of that work (including the redraw and its style and layout, forced so they are inside
 * the measurement) adds to `costMs`. Not timed: the per-row push (timing it would cost more than
 * it does), decoding the worker's reply, and garbage collection; the benchmark's A/B run
 * catches those.
 */
export class LiveState {
  snapshot = $state.raw<LiveSnapshot | null>(null);
  exact = $state.raw<ExactFigures | null>(null);
  /** The instance the exact figures are for (they lag a change of instance by one query). */
  exactFor = $state<string | null | undefined>(undefined);
  exactError = $state('');
  workerError = $state('');
  /** null: the most frequent language. */
  language = $state<string | null>(null);
  /** null: all instances merged. */
  instance = $state<string | null>(null);
  stopWords = $state(true);
  /** A word to look up in the seed's sketch (SeedPanel). */
  lookup = $state('');
  paused = $state(false);
  /** Main-thread ms per second of wall time over the last COST_WINDOW_MS. */
  costPerS = $state(0);
  /** Cumulative main-thread ms and wall ms since connect (for the benchmark). */
  costMs = $state(0);
  elapsedMs = $state(0);

  private worker: Worker | null = null;
  private pending: TootRow[] = [];
  private postTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private requestId = 0;
  private awaiting = false;
  /** The query changed (or a poll came) while a snapshot was on its way: ask again on arrival. */
  private again = false;
  private spent = 0;
  private startedAt = 0;
  private costSamples: Array<[number, number]> = [];
  private readonly exactThrottle: Throttle;

  constructor(
    private readonly app: AppState,
    private readonly makeWorker: WorkerFactory = defaultWorker,
  ) {
    this.exactThrottle = new Throttle(() => this.refreshExact(), EXACT_EVERY_MS, { busyShare: EXACT_BUSY_SHARE });
  }

  get query(): SnapshotQuery {
    return { language: this.language, instance: this.instance, stopWords: this.stopWords, lookup: this.lookup };
  }

  /** Starts the worker, the row feed and the timers; returns the stop function. */
  connect(): () => void {
    this.startedAt = performance.now();
    try {
      this.worker = this.makeWorker();
    } catch (err) {
      this.workerError = `The sketch worker could not start: ${(err as Error).message}`;
      return () => undefined;
    }
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
    this.worker.onerror = (e: ErrorEvent) => {
      this.workerError = `The sketch worker failed: ${e.message || 'could not load'}`;
    };
    this.start();
    const onHidden = () => {
      if (document.visibilityState === 'hidden') this.send({ type: 'persist' });
    };
    document.addEventListener('visibilitychange', onHidden);
    const stopEffects = $effect.root(() => {
      $effect(() => {
        void this.app.dataVersion;
        if (this.app.db.state === 'ready' && !this.paused) this.exactThrottle.request(false);
      });
      $effect(() => {
        // A new choice is answered at once, not at the next poll.
        void this.language;
        void this.stopWords;
        void this.instance;
        void this.lookup;
        this.requestSnapshot();
      });
      $effect(() => {
        void this.instance;
        if (this.app.db.state === 'ready') this.exactThrottle.request(true);
      });
    });
    return () => {
      stopEffects();
      document.removeEventListener('visibilitychange', onHidden);
      this.stop();
      this.exactThrottle.dispose();
      this.send({ type: 'persist' });
      this.worker?.terminate();
      this.worker = null;
    };
  }

  /** Pausing stops the feed: rows arriving meanwhile are not sketched (DuckDB still gets them). */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) this.stop();
    else this.start();
  }

  /** Forgets every sketch (here and in IndexedDB); DuckDB's data is not touched. */
  reset(): void {
    this.pending = [];
    this.send({ type: 'reset' });
    this.snapshot = null;
    this.requestSnapshot();
  }

  private start(): void {
    if (!this.worker || this.unsubscribe) return;
    this.unsubscribe = this.app.subscribeRows(this.onRow);
    this.pollTimer = setInterval(() => {
      this.requestSnapshot();
      this.sampleCost();
    }, SNAPSHOT_EVERY_MS);
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.postRows();
  }

  private readonly onRow = (row: TootRow): void => {
    this.pending.push(row);
    this.postTimer ??= setTimeout(this.postRows, POST_EVERY_MS);
  };

  private readonly postRows = (): void => {
    if (this.postTimer) clearTimeout(this.postTimer);
    this.postTimer = null;
    if (!this.pending.length) return;
    const t0 = performance.now();
    const batch = encodeRows(this.pending);
    this.pending = [];
    this.send({ type: 'rows', batch }, [batch.lengths.buffer, batch.numbers.buffer]);
    this.spent += performance.now() - t0;
  };

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker?.postMessage(msg, transfer);
  }

  private requestSnapshot(): void {
    if (!this.worker) return;
    if (this.awaiting) {
      this.again = true;
      return;
    }
    const t0 = performance.now();
    this.awaiting = true;
    this.send({ type: 'snapshot', id: ++this.requestId, query: this.query });
    this.spent += performance.now() - t0;
  }

  private onMessage(msg: FromWorker): void {
    const t0 = performance.now();
    if (msg.type === 'error') {
      this.workerError = msg.message;
    } else {
      this.awaiting = false;
      this.snapshot = reuseUnchanged(this.snapshot, msg.snapshot);
      if (this.again) {
        this.again = false;
        this.requestSnapshot();
      }
    }
    redrawNow();
    this.spent += performance.now() - t0;
  }

  private async refreshExact(): Promise<void> {
    const db = this.app.database;
    if (!db || this.paused) return;
    const instance = this.instance;
    const t0 = performance.now();
    const running = db.query<ExactFigures>(exactLiveSql(instance));
    this.spent += performance.now() - t0;
    try {
      const [row] = await running;
      const t1 = performance.now();
      this.exact = row ?? null;
      this.exactFor = instance;
      this.exactError = '';
      redrawNow();
      this.spent += performance.now() - t1;
    } catch (err) {
      this.exactError = `Exact figures failed: ${(err as Error).message}`;
    }
  }

  private sampleCost(): void {
    const now = performance.now();
    this.costSamples.push([now, this.spent]);
    while (this.costSamples.length > 2 && this.costSamples[0]![0] < now - COST_WINDOW_MS) this.costSamples.shift();
    const [t0, s0] = this.costSamples[0]!;
    this.costPerS = now > t0 ? ((this.spent - s0) / (now - t0)) * 1000 : 0;
    this.costMs = this.spent;
    this.elapsedMs = now - this.startedAt;
  }
}
