import type { TabMirror } from './tab-mirror';
/**
 * One tab collects; the others show the data. The Web Locks API elects the collector: the lock is
 * held for the tab's lifetime and passes to a waiting tab when the collector's tab closes.
 * Where Web Locks are missing (old browsers), every tab collects, as before there were locks.
 *
 * `now` says, before the tab opens DuckDB, whether this tab is the collector: only the collector
 * opens DuckDB's database file (an OPFS file has one writer), so a lone tab gets it. A tab that
 * waits is told by `onLater` when the lock passes to it.
 *
 * A held lock is not always a live collector: on a reload the page that is leaving releases it a
 * moment after the new one asks (Chromium frees a document's locks after the next one starts), and
 * so does a tab closed just before. Taking that for another collector made the reloaded tab a
 * viewer, whose table stays in memory, rebuilt from every stored segment, until the next reload.
 * So a tab that finds the lock held asks on a channel of the lock's name; a live collector answers
 * at once, a leaving one cannot and its lock comes within moments. `now` settles on whichever is
 * first, or as a viewer after `answerWithinMs` (a collector too busy to answer).
 */
export function electCollector(
  name: string,
  onLater: () => void,
  answerWithinMs = 3_000,
): { now: Promise<boolean>; release: () => void } {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (!locks) return { now: Promise.resolve(true), release: () => undefined };
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const waiting = new AbortController();
  let decided = false;
  let resolveNow!: (first: boolean) => void;
  const now = new Promise<boolean>((resolve) => (resolveNow = resolve));
  const answer = (first: boolean) => {
    if (decided) return;
    decided = true;
    resolveNow(first);
  };
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(name) : null;
  let holding = false;
  if (channel) {
    channel.onmessage = (e: MessageEvent<ElectionMessage>) => {
      if (e.data === 'who' && holding) channel.postMessage('collecting' satisfies ElectionMessage);
      else if (e.data === 'collecting') answer(false);
    };
  }
  const hold = () => {
    holding = true;
    // Tabs that asked before this one's channel opened hear it now.
    channel?.postMessage('collecting' satisfies ElectionMessage);
    return held;
  };
  void locks.request(name, { ifAvailable: true }, async (lock) => {
    if (lock) {
      answer(true);
      return hold();
    }
    const timer = setTimeout(() => answer(false), answerWithinMs);
    // Released before its turn (the tab closed), the wait is called off rather than granted.
    locks.request(name, { signal: waiting.signal }, async () => {
      clearTimeout(timer);
      if (decided) onLater();
      else answer(true);
      await hold();
    }).catch(() => undefined);
    channel?.postMessage('who' satisfies ElectionMessage);
  });
  return {
    now,
    release: () => {
      holding = false;
      waiting.abort();
      channel?.close();
      release();
    },
  };
}

/** The election's own channel: `who` asks whether a collector is alive, `collecting` says so. */
export type ElectionMessage = 'who' | 'collecting';

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
