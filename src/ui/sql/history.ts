import { createStore, get, set, type UseStore } from 'idb-keyval';

/**
 * The console's query history: query text only (never results), newest first, at most
 * HISTORY_CAP entries, kept in its own IndexedDB store so it survives reloads. Where IndexedDB
 * is unavailable it falls back to localStorage, then to memory.
 */
export const HISTORY_CAP = 100;
/** Longer text (a pasted dump) is run but not remembered. */
export const HISTORY_MAX_CHARS = 100_000;

/** `sql` in front; an earlier copy of the same text moves up instead of repeating. */
export function addToHistory(entries: readonly string[], sql: string, cap = HISTORY_CAP): string[] {
  const text = sql.trim();
  if (!text || text.length > HISTORY_MAX_CHARS) return [...entries];
  return [text, ...entries.filter((e) => e !== text)].slice(0, cap);
}

export interface HistoryBackend {
  load(): Promise<string[]>;
  save(entries: readonly string[]): Promise<void>;
}

const KEY = 'entries';
const LOCAL_KEY = 'tootscope-sql-history';

function clean(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string').slice(0, HISTORY_CAP) : [];
}

export function memoryHistoryBackend(initial: readonly string[] = []): HistoryBackend {
  let entries = [...initial];
  return {
    load: async () => [...entries],
    save: async (e) => {
      entries = [...e];
    },
  };
}

/** IndexedDB (database `tootscope-sql`, store `history`), else localStorage, else memory. */
export function browserHistoryBackend(): HistoryBackend {
  let store: UseStore | null = null;
  try {
    if (typeof indexedDB !== 'undefined') store = createStore('tootscope-sql', 'history');
  } catch {
    store = null;
  }
  const memory = memoryHistoryBackend();
  const local = {
    load(): string[] | null {
      try {
        const raw = globalThis.localStorage?.getItem(LOCAL_KEY);
        return raw ? clean(JSON.parse(raw)) : null;
      } catch {
        return null;
      }
    },
    save(entries: readonly string[]): boolean {
      try {
        if (!globalThis.localStorage) return false;
        globalThis.localStorage.setItem(LOCAL_KEY, JSON.stringify(entries));
        return true;
      } catch {
        return false;
      }
    },
  };
  return {
    async load() {
      if (store) {
        try {
          return clean(await get(KEY, store));
        } catch {
          store = null;
        }
      }
      return local.load() ?? memory.load();
    },
    async save(entries) {
      if (store) {
        try {
          await set(KEY, [...entries], store);
          return;
        } catch {
          store = null;
        }
      }
      if (!local.save(entries)) await memory.save(entries);
    },
  };
}

/**
 * Up/Down through the history like a shell: the first step back keeps what was typed (the
 * draft), stepping forward past the newest entry brings the draft back.
 */
export class HistoryCursor {
  private index = -1;
  private draft = '';

  reset(): void {
    this.index = -1;
    this.draft = '';
  }

  /** The entry one older than the one shown, or null when there is none. */
  older(entries: readonly string[], current: string): string | null {
    if (this.index + 1 >= entries.length) return null;
    if (this.index === -1) this.draft = current;
    this.index++;
    return entries[this.index]!;
  }

  /** The entry one newer, the draft after the newest, or null when already at the draft. */
  newer(entries: readonly string[]): string | null {
    if (this.index === -1) return null;
    this.index = Math.min(this.index, entries.length) - 1;
    return this.index === -1 ? this.draft : entries[this.index]!;
  }
}
