/**
 * Runs an async task at most once per interval and never twice at once. Requests that arrive
 * while it runs or waits fold into one later run, so a stream of data versions costs one query
 * round a second however fast batches land. `urgent` requests (a filter click, a new keyword)
 * skip the wait but still never overlap a running task.
 *
 * `busyShare` caps the share of time the task may take when it is slow: a chart round over
 * 1.6 M toots takes seconds, and rounds back to back would keep the one DuckDB worker busy with
 * charts while collected batches wait behind them. After a run of d ms, the next non-urgent one
 * waits at least d × (1 / busyShare − 1) ms.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ThrottleOptions {
  clock?: Clock;
  /** The most of the time the task may take, 0 < busyShare ≤ 1 (1: no cap). */
  busyShare?: number;
}

export class Throttle {
  private lastStart = Number.NEGATIVE_INFINITY;
  /** The earliest a non-urgent run may start. */
  private notBefore = Number.NEGATIVE_INFINITY;
  private running = false;
  private pending = false;
  private pendingUrgent = false;
  private timer: unknown = null;
  private timerAt = 0;
  private disposed = false;

  private readonly clock: Clock;
  private readonly restFactor: number;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
    options: ThrottleOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    const share = options.busyShare ?? 1;
    if (!(share > 0 && share <= 1)) throw new RangeError(`busyShare must be in (0, 1], not ${share}`);
    this.restFactor = 1 / share - 1;
  }

  request(urgent = false): void {
    if (this.disposed) return;
    this.pending = true;
    this.pendingUrgent ||= urgent;
    if (this.running) return;
    this.schedule();
  }

  private schedule(): void {
    const now = this.clock.now();
    const at = this.pendingUrgent ? now : Math.max(now, this.lastStart + this.intervalMs, this.notBefore);
    if (this.timer !== null) {
      if (this.timerAt <= at) return;
      this.clock.clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => void this.fire(), at - now);
  }

  private async fire(): Promise<void> {
    this.timer = null;
    if (this.disposed || this.running || !this.pending) return;
    this.pending = false;
    this.pendingUrgent = false;
    this.running = true;
    this.lastStart = this.clock.now();
    try {
      await this.task();
    } catch {
      /* the task reports its own errors */
    } finally {
      const end = this.clock.now();
      this.notBefore = end + (end - this.lastStart) * this.restFactor;
      this.running = false;
      if (this.pending && !this.disposed) this.schedule();
    }
  }

  /** Nothing running or waiting. */
  get idle(): boolean {
    return !this.running && this.timer === null && !this.pending;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Calls `fn` with the last value once `ms` have passed without a new one (typing). */
export function debounce<T>(fn: (value: T) => void, ms: number): ((value: T) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const call = (value: T) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(value);
    }, ms);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return call;
}
