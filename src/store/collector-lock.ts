/**
 * One tab collects; the others show the data. The Web Locks API elects the collector: the lock is
 * held for the tab's lifetime and passes to a waiting tab when the collector's tab closes.
 * Where Web Locks are missing (old browsers), every tab collects, as before there were locks.
 */
export function electCollector(name: string, onElected: () => void): () => void {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (!locks) {
    onElected();
    return () => undefined;
  }
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  void locks.request(name, async () => {
    onElected();
    await held;
  });
  return () => release();
}

/** Tabs of the page tell each other what changed; the message carries no data, only a nudge. */
export type TabMessage = { type: 'batch'; seq: number } | { type: 'instances' };

export function openTabChannel(onMessage: (m: TabMessage) => void): { post(m: TabMessage): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { post: () => undefined, close: () => undefined };
  const ch = new BroadcastChannel('tootscope');
  ch.onmessage = (e: MessageEvent<TabMessage>) => onMessage(e.data);
  return { post: (m) => ch.postMessage(m), close: () => ch.close() };
}
