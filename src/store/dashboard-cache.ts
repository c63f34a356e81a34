import { createStore, get, set, type UseStore } from 'idb-keyval';

/** One chart's last answer: the SQL that asked for it and the rows DuckDB gave. */
export interface SavedAnswer {
  sql: string;
  rows: unknown[];
}

/** The dashboard's answers of one round, by chart, and when DuckDB gave them. */
export interface SavedDashboard {
  savedAt: number;
  answers: Record<string, SavedAnswer>;
  /**
   * The data every answer was given for (LocalData.stamp), or null when they were not all given
   * for the same: a next visit whose data has this stamp takes them as DuckDB's own answers.
   */
  stamp?: string | null;
}

const KEY = 'last-round';

function isSaved(x: unknown): x is SavedDashboard {
  if (!x || typeof x !== 'object') return false;
  const d = x as Partial<SavedDashboard>;
  if (typeof d.savedAt !== 'number' || !d.answers || typeof d.answers !== 'object') return false;
  if (d.stamp !== undefined && d.stamp !== null && typeof d.stamp !== 'string') return false;
  return Object.values(d.answers).every((a) => !!a && typeof a.sql === 'string' && Array.isArray(a.rows));
}

/**
 * The charts' last answers, kept in IndexedDB so that a reload draws every chart before DuckDB is
 * up (issue 15: reopening a large collection took seconds before any chart showed, most of it
 * DuckDB's start and opening its file). The answers are a cache of the table, never a source of
 * data: each is taken only for the same SQL, is shown with the time it was saved, and is replaced
 * by DuckDB's own answer as soon as DuckDB is ready, unless DuckDB then holds exactly the data they
 * were given for (`stamp`): asking again would only keep DuckDB from the person's first query.
 *
 * Its own IndexedDB database, not a store beside the batches: idb-keyval keeps one object store
 * per database, and the write-ahead log's database is not to be upgraded for a cache.
 */
export class DashboardCache {
  private constructor(private readonly store: UseStore | null) {}

  static open(name = 'tootscope-dashboard'): DashboardCache {
    try {
      if (typeof indexedDB === 'undefined') return new DashboardCache(null);
      return new DashboardCache(createStore(name, 'answers'));
    } catch {
      return new DashboardCache(null);
    }
  }

  /** The last saved round, or null (none, unreadable, or no IndexedDB). */
  async load(): Promise<SavedDashboard | null> {
    if (!this.store) return null;
    try {
      const saved = await get<unknown>(KEY, this.store);
      return isSaved(saved) ? saved : null;
    } catch {
      return null;
    }
  }

  /** Best effort: a cache that cannot be written only costs the next reload its head start. */
  async save(d: SavedDashboard): Promise<void> {
    if (!this.store) return;
    await set(KEY, d, this.store).catch(() => undefined);
  }
}
