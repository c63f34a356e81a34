import { createStore, del, entries, set, clear, type UseStore } from 'idb-keyval';
import type { IngestBatch } from './toot-table';

/** One stored flush. Keys are zero-padded sequence numbers so they sort in write order. */
export interface StoredBatch extends IngestBatch {
  seq: number;
  rows: number;
  writtenAt: number;
}

export class StorageFullError extends Error {}

const key = (seq: number) => `batch-${String(seq).padStart(10, '0')}`;

/**
 * Arrow IPC batches in IndexedDB. Each batch is one `put` in one transaction, so a reload sees a
 * batch whole or not at all. When IndexedDB is unavailable (private modes, blocked storage), the
 * store keeps batches in memory and says so.
 */
export class BatchStore {
  private store: UseStore | null;
  private memory = new Map<string, StoredBatch>();
  private nextSeq = 0;
  readonly persistent: boolean;

  private constructor(store: UseStore | null) {
    this.store = store;
    this.persistent = store !== null;
  }

  static async open(name = 'tootscope-batches'): Promise<BatchStore> {
    try {
      if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
      const store = createStore(name, 'batches');
      await entries(store); // opens the database: fails here, not on the first write
      return new BatchStore(store);
    } catch {
      return new BatchStore(null);
    }
  }

  /** Every stored batch in write order; also sets where new batches continue numbering. */
  async loadAll(): Promise<StoredBatch[]> {
    const all = this.store ? (await entries<string, StoredBatch>(this.store)).map(([, v]) => v) : [...this.memory.values()];
    all.sort((a, b) => a.seq - b.seq);
    this.nextSeq = all.length ? all[all.length - 1]!.seq + 1 : 0;
    return all;
  }

  async append(batch: IngestBatch, rows: number): Promise<StoredBatch> {
    const stored: StoredBatch = { ...batch, seq: this.nextSeq, rows, writtenAt: Date.now() };
    if (!this.store) {
      this.memory.set(key(stored.seq), stored);
    } else {
      try {
        await set(key(stored.seq), stored, this.store);
      } catch (err) {
        if (isQuotaError(err)) throw new StorageFullError('the browser storage quota is full');
        throw err;
      }
    }
    this.nextSeq++;
    return stored;
  }

  async remove(seq: number): Promise<void> {
    if (this.store) await del(key(seq), this.store);
    else this.memory.delete(key(seq));
  }

  async clearAll(): Promise<void> {
    if (this.store) await clear(this.store);
    this.memory.clear();
    this.nextSeq = 0;
  }
}

export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || /quota/i.test(String((err as Error)?.message));
}
