import type { DemoMirror } from '../store/tab-mirror';
import { DEMO_BASE_URL, DemoSource } from '../sources/demo-source';
import type { SourceEvent, SourceState } from '../sources/source';
import { RateWindow } from './rate-window';

export const DEMO_RATES = [5, 20, 100, 500, 2000] as const;

/**
 * The demo stream's row: on or off, its rate, and what it has sent. `collected` counts what an
 * instance row counts (toots first seen here that reached IndexedDB), `received` every post event
 * it sent (edits included), so neither poses as the other.
 */
export class DemoState {
  readonly baseUrl = DEMO_BASE_URL;
  running = $state(false);
  rate = $state<number>(20);
  status = $state.raw<SourceState>({ state: 'paused' });
  collected = $state(0);
  received = $state(0);
  /** Stored toots per minute; null until a few seconds are measured. */
  ratePerMin = $state<number | null>(null);
  /** In a viewer tab: the demo row of the tab that collects, as it shows it; null in the collector. */
  remote = $state.raw<DemoMirror | null>(null);
  warnings = $state.raw<string[]>([]);
  private source: DemoSource | null = null;
  private readonly rateWindow = new RateWindow();

  constructor(private readonly onEvent: (e: SourceEvent) => void) {}

  start(): void {
    if (this.running) return;
    this.source = new DemoSource(
      {
        onEvent: (e) => {
          if (e.kind === 'update') this.received++;
          this.onEvent(e);
        },
        onState: (s) => (this.status = s),
        onWarning: (w) => this.warn(w),
      },
      this.rate,
    );
    this.rateWindow.restart(Date.now());
    this.ratePerMin = null;
    this.source.start();
    this.running = true;
  }

  stop(): void {
    this.source?.stop();
    this.source = null;
    this.running = false;
  }

  setRate(rate: number): void {
    this.rate = rate;
    if (this.source) this.source.ratePerSecond = rate;
  }

  warn(message: string): void {
    this.warnings = [...this.warnings.slice(-4), message];
  }

  /** `n` demo toots reached IndexedDB. */
  noteStored(n: number, now = Date.now()): void {
    this.collected += n;
    if (this.running) this.rateWindow.note(n, now);
  }

  tick(now: number): void {
    this.ratePerMin = this.running ? this.rateWindow.perMinute(now) : null;
  }

  /** The demo row as it is shown, for the other tabs (tab-mirror.ts). */
  mirror(): DemoMirror {
    return { running: this.running, collected: this.collected, received: this.received, ratePerMin: this.ratePerMin };
  }
}
