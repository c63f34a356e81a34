import type { InstanceSoftware } from '../export/stored-export';
import type { AnalyticsDb } from '../../db/analytics-db';
import type { ParquetCodec, SegmentRef, Snapshot } from '../archive/snapshot';
import type { BatchStore } from '../wal/batch-store';
import { S3Bucket, SinkError } from './s3-bucket';
import { segmentHiveParts } from './hive-parts';
import { normalPrefix, type SinkConfig, type SinkObject, type SinkProgress, type SinkSettings } from './sink-settings';

/** What the sink row shows. */
export interface SinkStatus {
  state: 'off' | 'idle' | 'uploading' | 'paused';
  /** Plain words: what went wrong and what to do, or what is going on. */
  message: string;
  lastUploadAt: number;
  /** Stored segments not yet in the bucket, and their stored size. */
  segmentsBehind: number;
  bytesBehind: number;
  /** Objects the bucket's manifest names, and their size. */
  objects: number;
  bytes: number;
  /** When the next attempt is due after a failure (ms since epoch), or 0. */
  retryAt: number;
}

/** The manifest object, `<prefix>/<writer>/manifest.json`, written after every object it names. */
export interface BucketManifest {
  format: 'tootscope-sink/1';
  writer: string;
  /** The local manifest it mirrors (batch sequence number). */
  upToSeq: number;
  writtenAt: string;
  rows: number;
  /** Keys relative to the bucket (the prefix included), each a Hive Parquet file. */
  objects: SinkObject[];
  /** Each `base_url`'s server software, as the one-file export's metadata lists it (docs/SCHEMA.md § Export metadata). */
  instances?: InstanceSoftware[];
}

export interface UploaderDeps {
  db: AnalyticsDb;
  store: BatchStore;
  codec: () => Promise<ParquetCodec>;
  settings: SinkSettings;
  /** The table's `exclusive`: no merge on the shared connection while a segment is read back. */
  run?: <T>(fn: () => Promise<T>) => Promise<T>;
  fetchFn?: typeof fetch;
  /** First wait after a failure; doubles per failure up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  /** Each instance's server software, written into the manifest. */
  instances?: () => Promise<InstanceSoftware[]>;
}

/** A stored segment version: a rewrite keeps the id and gets a new `at`. */
export const segmentKey = (s: SegmentRef) => `${s.id}@${s.at ?? 'x'}:${s.rows}:${s.bytes}`;
/** Retries of a busy server inside one round, before the row says so and waits longer. */
const QUICK_RETRIES = 3;
/**
 * Uploads at a time. A segment is one object per day and collecting instance (hive-export.ts),
 * a few per segment, each with its CORS preflight: one at a time, the round trips dominate.
 */
const PARALLEL_PUTS = 6;

/** Runs `tasks` at most PARALLEL_PUTS at once; the first failure rejects once all started ones settle. */
async function inParallel(tasks: ReadonlyArray<() => Promise<void>>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (next < tasks.length && failed === null) {
      const task = tasks[next++]!;
      await task().catch((err: unknown) => {
        failed ??= err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PUTS, tasks.length) }, worker));
  if (failed !== null) throw failed;
}

/**
 * Mirrors the local manifest (store/archive/snapshot.ts) into the bucket: every stored segment as
 * Hive Parquet objects, then the bucket's manifest naming exactly the live ones, then the deletion
 * of objects no manifest names any more. A reader that follows the manifest sees each post once:
 * the local segments hold each `uri` once, and a rewritten or merged segment's objects leave the
 * manifest in the same write that adds their replacements.
 *
 * Progress is saved in IndexedDB after each segment, so a reload resumes with the next one;
 * object names come from their bytes, so uploading one again after a crash writes the same key.
 */
export class SinkUploader {
  status: SinkStatus = { state: 'off', message: '', lastUploadAt: 0, segmentsBehind: 0, bytesBehind: 0, objects: 0, bytes: 0, retryAt: 0 };
  private config: SinkConfig | null = null;
  private bucket: S3Bucket | null = null;
  private failures = 0;
  private running: Promise<void> | null = null;
  /** Until a round completes after `configure`: the row's figures are not read yet. */
  private fresh = true;
  /** The saved progress, read once per destination: only this uploader writes it. */
  private progress: SinkProgress | null = null;

  constructor(
    private readonly deps: UploaderDeps,
    private readonly onStatus: (s: SinkStatus) => void = () => undefined,
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** A new destination (or none): the next round starts at once. */
  configure(config: SinkConfig | null): void {
    this.config = config;
    this.bucket = config ? new S3Bucket(config, this.deps.fetchFn) : null;
    this.failures = 0;
    this.fresh = true;
    this.progress = null;
    this.set({ state: config ? 'idle' : 'off', message: '', retryAt: 0 });
  }

  /** Skips the wait after a failure. */
  retryNow(): Promise<void> {
    this.set({ retryAt: 0 });
    return this.sync();
  }

  /** One round, unless one runs or a failure's wait is not over. Never throws: the status says. */
  sync(): Promise<void> {
    if (!this.config || this.now < this.status.retryAt) return this.running ?? Promise.resolve();
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<void> {
    const config = this.config!;
    const bucket = this.bucket!;
    try {
      const progress = await this.progressFor(config);
      // The page asks every few seconds; the manifest with its side tables is megabytes at a
      // million toots, so it is read only once its sequence number moved.
      if ((await this.deps.store.snapshotSeq()) === progress.upToSeq && !progress.garbage.length && !this.fresh) {
        if (this.status.state !== 'idle') this.set({ state: 'idle', message: '', retryAt: 0 });
        this.failures = 0;
        return;
      }
      for (;;) {
        const snap = await this.deps.store.snapshot();
        this.showBehind(snap, progress);
        if (!snap || (snap.upToSeq === progress.upToSeq && !progress.garbage.length)) break;
        if (await this.mirror(snap, progress, bucket, config)) break;
        // Another compaction committed while we read a segment: start over from the new manifest.
      }
      this.fresh = false;
      this.failures = 0;
      this.set({ state: 'idle', message: '', retryAt: 0 });
    } catch (err) {
      if (this.config !== config) return; // reconfigured meanwhile: the new round says how it goes
      this.failures++;
      const wait = Math.min(this.deps.maxBackoffMs ?? 300_000, (this.deps.backoffMs ?? 2_000) * 2 ** (this.failures - 1));
      const why = err instanceof SinkError ? err.message : `The upload failed: ${(err as Error)?.message ?? String(err)}`;
      this.set({ state: 'paused', message: `${why} Nothing is lost: the page keeps every toot and tries again in ${Math.ceil(wait / 1000)} s.`, retryAt: this.now + wait });
    }
  }

  /** Uploads what `snap` names and writes the manifest; false when `snap` was replaced meanwhile. */
  private async mirror(snap: Snapshot, progress: SinkProgress, bucket: S3Bucket, config: SinkConfig): Promise<boolean> {
    const base = [normalPrefix(config.prefix), progress.writerId].filter(Boolean).join('/');
    for (const seg of snap.segments ?? []) {
      if (progress.segments[segmentKey(seg)]) continue;
      this.set({ state: 'uploading', message: `Uploading segment ${seg.id} (${seg.rows.toLocaleString()} toots).` });
      const bytes = await this.deps.store.segment(seg.id);
      // A commit is atomic and the sequence only grows: same sequence after the read, same manifest.
      if (!bytes || (await this.deps.store.snapshotSeq()) !== snap.upToSeq) return false;
      const parts = await segmentHiveParts(this.deps.db, await this.deps.codec(), seg, bytes, this.deps.run);
      const objects = parts.map((p) => ({ key: `${base}/${p.path}`, rows: p.rows, bytes: p.bytes.byteLength }));
      // Noted before the upload: a crash between the two leaves keys the next round deletes.
      progress.garbage = [...new Set([...progress.garbage, ...objects.map((o) => o.key)])];
      await this.deps.settings.saveProgress(progress);
      await inParallel(parts.map((p, i) => () => this.retrying(() => bucket.put(objects[i]!.key, p.bytes, 'application/vnd.apache.parquet'))));
      progress.segments[segmentKey(seg)] = objects;
      progress.lastUploadAt = this.now;
      await this.deps.settings.saveProgress(progress);
      this.showBehind(snap, progress);
    }
    const live = (snap.segments ?? []).flatMap((s) => progress.segments[segmentKey(s)] ?? []);
    if (snap.upToSeq !== progress.upToSeq) {
      const manifest: BucketManifest = {
        format: 'tootscope-sink/1',
        writer: progress.writerId,
        upToSeq: snap.upToSeq,
        writtenAt: new Date(this.now).toISOString(),
        rows: live.reduce((n, o) => n + o.rows, 0),
        objects: live,
        ...(this.deps.instances ? { instances: await this.deps.instances().catch(() => []) } : {}),
      };
      const body = new TextEncoder().encode(JSON.stringify(manifest, null, 1));
      // Every segment may be in while the manifest naming them is not: not "up to date" yet.
      this.set({ state: 'uploading', message: `Writing the manifest (${manifest.objects.length.toLocaleString()} objects).` });
      await this.retrying(() => bucket.put(`${base}/manifest.json`, body, 'application/json'));
      const liveKeys = new Set(live.map((o) => o.key));
      progress.garbage = [...new Set([...progress.garbage, ...progress.live.map((o) => o.key)])].filter((k) => !liveKeys.has(k));
      const kept = new Set((snap.segments ?? []).map(segmentKey));
      for (const k of Object.keys(progress.segments)) if (!kept.has(k)) delete progress.segments[k];
      progress.live = live;
      progress.upToSeq = snap.upToSeq;
      progress.lastUploadAt = this.now;
      await this.deps.settings.saveProgress(progress);
    } else {
      progress.garbage = progress.garbage.filter((k) => !live.some((o) => o.key === k));
    }
    // Only after the manifest stopped naming them: a reader never follows it to a missing object.
    while (progress.garbage.length) {
      const key = progress.garbage[0]!;
      await this.retrying(() => bucket.delete(key));
      progress.garbage.shift();
      await this.deps.settings.saveProgress(progress);
    }
    this.showBehind(snap, progress);
    return true;
  }

  /** A busy server gets a few quick retries with backoff before the round gives up. */
  private async retrying(fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof SinkError) || !err.transient || attempt >= QUICK_RETRIES) throw err;
        const wait = (this.deps.backoffMs ?? 2_000) * 2 ** attempt * (0.5 + Math.random() / 2);
        this.set({ message: `${err.message} Retrying in ${Math.ceil(wait / 1000)} s.` });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** The saved progress for this destination; another bucket or prefix starts afresh (same writer). */
  private async progressFor(config: SinkConfig): Promise<SinkProgress> {
    const dest = `${config.endpoint}|${config.bucket}|${normalPrefix(config.prefix)}`;
    if (this.progress?.dest === dest) return this.progress;
    const p = await this.deps.settings.progress();
    if (p.dest === dest) return (this.progress = p);
    const fresh: SinkProgress = { writerId: p.writerId, dest, segments: {}, live: [], upToSeq: -1, garbage: [], lastUploadAt: 0 };
    await this.deps.settings.saveProgress(fresh);
    return (this.progress = fresh);
  }

  private showBehind(snap: Snapshot | null, progress: SinkProgress): void {
    const missing = (snap?.segments ?? []).filter((s) => !progress.segments[segmentKey(s)]);
    this.set({
      lastUploadAt: progress.lastUploadAt,
      segmentsBehind: missing.length,
      bytesBehind: missing.reduce((n, s) => n + s.bytes, 0),
      objects: progress.live.length,
      bytes: progress.live.reduce((n, o) => n + o.bytes, 0),
    });
  }

  private set(p: Partial<SinkStatus>): void {
    this.status = { ...this.status, ...p };
    this.onStatus(this.status);
  }
}
