import { createStore, del, get, getMany, keys, promisifyRequest, set, clear, type UseStore } from 'idb-keyval';
import type { IngestBatch } from '../duckdb/toot-table';
import type { Snapshot } from '../archive/snapshot';
import { maxId } from '../../core/status-id';

/** Per instance, the newest status id stored: where polls and backfills continue from. */
export type Positions = ReadonlyMap<string, string>;

/** One stored flush. Keys are zero-padded sequence numbers so they sort in write order. */
export interface StoredBatch extends IngestBatch {
  seq: number;
  rows: number;
  writtenAt: number;
  /**
   * When the batch's rows left memory (before encoding). What a crash can cost is what arrived after
   * the newest committed batch's `takenAt`: the kill test reads it to tell a lost row from a slow disk.
   */
  takenAt?: number;
}

export class StorageFullError extends Error {}

const key = (seq: number) => `batch-${String(seq).padStart(10, '0')}`;
const SNAPSHOT = 'snapshot';
const segmentKey = (id: number) => `segment-${String(id).padStart(10, '0')}`;
const SNAPSHOT_SEQ = 'snapshot-seq';
/**
 * The newest id stored per instance, kept beside the batches and written in the same transaction
 * as each: collection can start from it before DuckDB is up (issue 16), and it never moves back
 * (a compaction, a retention rule or a delete does not make a source fetch old posts again).
 */
const POSITIONS = 'positions';

/** `into` with every id of `more` that is newer. */
function mergePositions(into: Record<string, string>, more: Positions): Record<string, string> {
  const out = { ...into };
  for (const [base, id] of more) out[base] = maxId(out[base] ?? null, id);
  return out;
}

/**
 * Arrow IPC batches in IndexedDB. Each batch is one `put` in one transaction, so a reload sees a
 * batch whole or not at all. When IndexedDB is unavailable (private modes, blocked storage), the
 * store keeps batches in memory and says so.
 */
export class BatchStore {
  private readonly store: UseStore | null;
  private memory = new Map<string, StoredBatch>();
  private memorySnapshot: Snapshot | null = null;
  private memorySegments = new Map<number, Uint8Array>();
  private memoryPositions: Record<string, string> = {};
  private nextSeq = 0;
  /**
   * The first batch this page appended, or null: a DuckDB opened after collection started leaves
   * those batches to the Ingest that wrote them (LocalData.open), which counts and merges them.
   */
  firstAppended: number | null = null;
  private writing: Promise<unknown> = Promise.resolve();
  readonly persistent: boolean;

  private constructor(store: UseStore | null) {
    this.store = store;
    this.persistent = store !== null;
  }

  static async open(name = 'tootscope-batches'): Promise<BatchStore> {
    try {
      if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
      const store = createStore(name, 'batches');
      await keys(store); // opens the database: fails here, not on the first write
      const opened = new BatchStore(store);
      // Numbered after what is stored: collection may append before anything is loaded.
      await opened.resync();
      return opened;
    } catch {
      return new BatchStore(null);
    }
  }

  /** Numbers the next append after the newest stored batch (another tab may have written since). */
  async resync(): Promise<void> {
    this.nextSeq = Math.max(this.nextSeq, (await this.newestSeq()) + 1);
  }

  /**
   * Where each instance's collection continues, from IndexedDB alone. Null when the store holds
   * toots from before positions were kept: they are known only once DuckDB has loaded them
   * (`seedPositions` then keeps them).
   */
  async positions(): Promise<Map<string, string> | null> {
    const saved = this.store ? await get<Record<string, string>>(POSITIONS, this.store) : this.memoryPositions;
    if (saved) return new Map(Object.entries(saved));
    return (await this.newestSeq()) < 0 ? new Map() : null;
  }

  /** Records positions not carried by a batch: found in DuckDB (a store older than the positions key), or a cold start's beginning. */
  async seedPositions(found: Positions): Promise<void> {
    if (!this.store) {
      this.memoryPositions = mergePositions(this.memoryPositions, found);
      return;
    }
    await this.store('readwrite', (os) => {
      const req = os.get(POSITIONS);
      req.onsuccess = () => os.put(mergePositions((req.result as Record<string, string>) ?? {}, found), POSITIONS);
      return promisifyRequest(os.transaction);
    });
  }

  /**
   * Batches written after `seq` (by this tab or another), in order; continues numbering after the
   * newest, so a tab that takes over collection never overwrites what the previous collector wrote.
   */
  async loadAfter(seq: number): Promise<StoredBatch[]> {
    let found: StoredBatch[];
    if (this.store) {
      const after = seq < 0 ? '' : key(seq);
      const newer = (await keys<string>(this.store)).filter((k) => k.startsWith('batch-') && k > after).sort();
      found = newer.length ? (await getMany<StoredBatch>(newer, this.store)).filter((b): b is StoredBatch => b !== undefined) : [];
    } else {
      found = [...this.memory.values()].filter((b) => b.seq > seq);
    }
    found.sort((a, b) => a.seq - b.seq);
    // `seq` itself was written once, even when a compaction has since deleted it (and every batch
    // after it): numbering again from 0 would give new batches numbers the table skips as applied.
    this.nextSeq = Math.max(this.nextSeq, seq + 1, found.length ? found[found.length - 1]!.seq + 1 : 0);
    return found;
  }

  /**
   * Appends in sequence order: appends run one after another (a flush and an import may overlap),
   * so a batch numbered N is committed before N+1 and no reader ever sees N+1 without N.
   * `positions` (the newest id per instance among the rows) is committed with the batch.
   */
  append(batch: IngestBatch, rows: number, positions?: Positions, takenAt?: number): Promise<StoredBatch> {
    const run = this.writing.then(() => this.appendNow(batch, rows, positions, takenAt));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async appendNow(batch: IngestBatch, rows: number, positions?: Positions, takenAt?: number): Promise<StoredBatch> {
    const stored: StoredBatch = { ...batch, seq: this.nextSeq, rows, writtenAt: Date.now(), ...(takenAt ? { takenAt } : {}) };
    // Set before the write: whoever sees the batch in IndexedDB also sees that this page wrote it.
    this.firstAppended ??= stored.seq;
    if (!this.store) {
      this.memory.set(key(stored.seq), stored);
      if (positions) this.memoryPositions = mergePositions(this.memoryPositions, positions);
    } else {
      try {
        if (!positions?.size) await set(key(stored.seq), stored, this.store);
        else
          await this.store('readwrite', (os) => {
            os.put(stored, key(stored.seq));
            const req = os.get(POSITIONS);
            req.onsuccess = () => os.put(mergePositions((req.result as Record<string, string>) ?? {}, positions), POSITIONS);
            return promisifyRequest(os.transaction);
          });
      } catch (err) {
        if (isQuotaError(err)) throw new StorageFullError('the browser storage quota is full');
        throw err;
      }
    }
    this.nextSeq++;
    return stored;
  }

  /** Sequence number the stored snapshot covers, or -1: cheap, without reading the snapshot itself. */
  async snapshotSeq(): Promise<number> {
    if (!this.store) return this.memorySnapshot?.upToSeq ?? -1;
    return (await get<number>(SNAPSHOT_SEQ, this.store)) ?? -1;
  }

  /** The newest sequence number stored: of a batch, or of the manifest when no batch is newer; -1 when none. */
  async newestSeq(): Promise<number> {
    const snap = await this.snapshotSeq();
    const seqs = this.store
      ? (await keys<string>(this.store)).filter((k) => k.startsWith('batch-')).map((k) => Number(k.slice('batch-'.length)))
      : [...this.memory.values()].map((b) => b.seq);
    return Math.max(snap, ...seqs);
  }

  async snapshot(): Promise<Snapshot | null> {
    if (!this.store) return this.memorySnapshot;
    return (await get<Snapshot>(SNAPSHOT, this.store)) ?? null;
  }

  /** A stored segment's Parquet bytes, or null when it is gone (another tab rewrote the manifest). */
  async segment(id: number): Promise<Uint8Array | null> {
    if (!this.store) return this.memorySegments.get(id) ?? null;
    return (await get<Uint8Array>(segmentKey(id), this.store)) ?? null;
  }

  /**
   * Commits a compaction in ONE IndexedDB transaction: the segments written (new ones, and
   * rewrites of changed ones under their old id), the manifest naming every segment, the deletion
   * of segments no longer named and of the batches the manifest covers. A tab that dies before the
   * commit leaves the old manifest, its segments and every batch; after it, the new manifest and
   * only later batches. Nothing is lost and nothing counted twice either way.
   */
  async commitCompaction(manifest: Snapshot, written: ReadonlyArray<{ id: number; bytes: Uint8Array }>, dropped: readonly number[]): Promise<void> {
    if (!this.store) {
      for (const w of written) this.memorySegments.set(w.id, w.bytes);
      for (const id of dropped) this.memorySegments.delete(id);
      this.memorySnapshot = manifest;
      for (const [k, b] of this.memory) if (b.seq <= manifest.upToSeq) this.memory.delete(k);
      return;
    }
    try {
      await this.store('readwrite', (os) => {
        for (const w of written) os.put(w.bytes, segmentKey(w.id));
        for (const id of dropped) os.delete(segmentKey(id));
        os.put(manifest, SNAPSHOT);
        os.put(manifest.upToSeq, SNAPSHOT_SEQ);
        os.delete(IDBKeyRange.bound(key(0), key(manifest.upToSeq)));
        return promisifyRequest(os.transaction);
      });
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError('the browser storage quota is full');
      throw err;
    }
  }

  async remove(seq: number): Promise<void> {
    if (this.store) await del(key(seq), this.store);
    else this.memory.delete(key(seq));
  }

  async clearAll(): Promise<void> {
    if (this.store) await clear(this.store);
    this.memory.clear();
    this.memorySnapshot = null;
    this.memorySegments.clear();
    this.memoryPositions = {};
    this.nextSeq = 0;
  }
}

export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || /quota/i.test(String((err as Error)?.message));
}
