import type { TabMirror } from './tab-mirror';
/**
 * One tab collects; the others show the data. The Web Locks API elects the collector: the lock is
 * held for the tab's lifetime and passes to a waiting tab when the collector's tab closes.
 * Where Web Locks are missing (old browsers), every tab collects, as before there were locks.
 *
 * `now` says at once whether this tab is the collector, before it opens DuckDB: only the
 * collector opens DuckDB's database file (an OPFS file has one writer), so a lone tab gets it.
 * A tab that waits is told by `onLater` when the lock passes to it.
 */
export function electCollector(name: string, onLater: () => void): { now: Promise<boolean>; release: () => void } {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (!locks) return { now: Promise.resolve(true), release: () => undefined };
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const waiting = new AbortController();
  let answer!: (first: boolean) => void;
  const now = new Promise<boolean>((resolve) => (answer = resolve));
  void locks.request(name, { ifAvailable: true }, async (lock) => {
    answer(lock !== null);
    if (lock) return held;
    // Released before its turn (the tab closed), the wait is called off rather than granted.
    locks.request(name, { signal: waiting.signal }, async () => {
      onLater();
      await held;
    }).catch(() => undefined);
  });
  return {
    now,
    release: () => {
      waiting.abort();
      release();
    },
  };
}

/** Tabs of the page tell each other what changed: a nudge, never toots (they are in IndexedDB). */
export type TabMessage =
  | { type: 'batch'; seq: number }
  | { type: 'instances' }
  /** The collector's rows as it shows them (src/ui/tab-mirror.ts). */
  | { type: 'mirror'; mirror: TabMirror };

export function openTabChannel(onMessage: (m: TabMessage) => void): { post(m: TabMessage): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { post: () => undefined, close: () => undefined };
  const ch = new BroadcastChannel('tootscope');
  ch.onmessage = (e: MessageEvent<TabMessage>) => onMessage(e.data);
  return { post: (m) => ch.postMessage(m), close: () => ch.close() };
}
