const WINDOW_MS = 60_000;
/** Below this much time measured, a per-minute figure is mostly noise: none is given. */
const MIN_SPAN_MS = 2_000;

/**
 * Toots per minute over the last minute, or over the time since the start when that is shorter.
 * Counting the last minute's arrivals alone reads 109/min five seconds into a 20/s stream: a
 * count so far, not a rate.
 */
export class RateWindow {
  private arrivals: number[] = [];
  private since: number | null = null;

  /** Measuring starts (again) now: arrivals before it no longer count. */
  restart(now: number): void {
    this.arrivals = [];
    this.since = now;
  }

  note(n: number, now: number): void {
    this.since ??= now;
    for (let i = 0; i < n; i++) this.arrivals.push(now);
  }

  /** Per minute, rounded; null until MIN_SPAN_MS have been measured. */
  perMinute(now: number): number | null {
    let i = 0;
    while (i < this.arrivals.length && this.arrivals[i]! < now - WINDOW_MS) i++;
    if (i) this.arrivals.splice(0, i);
    if (this.since === null) return null;
    const span = Math.min(WINDOW_MS, now - this.since);
    if (span < MIN_SPAN_MS) return null;
    return Math.round((this.arrivals.length * 60_000) / span);
  }
}
