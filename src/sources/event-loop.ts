/**
 * A stream read loop whose next chunk is always already buffered (a flooding server) resolves each
 * `read()` as a microtask and never returns to the event loop: timers, IndexedDB callbacks, DuckDB's
 * worker messages, other instances' responses and rendering all wait until the flood pauses (a
 * console query took 31 s during a 10,000 events/s flood, issue 14). Readers call `maybeYield`
 * after each chunk; past `sliceMs` of work it lets a macrotask turn go by.
 *
 * A MessageChannel turn rather than `scheduler.yield()`, whose continuation runs ahead of the other
 * queued tasks (what must run here), or `setTimeout(0)`, clamped to 4 ms when nested.
 */
export class EventLoopTurns {
  private since = performance.now();

  constructor(private readonly sliceMs = 8) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.since < this.sliceMs) return;
    await nextTurn();
    this.since = performance.now();
  }
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
