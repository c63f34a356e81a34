import { DEMO_BASE_URL, DemoSource } from '../sources/demo-source';
import type { SourceEvent, SourceState } from '../sources/source';

export const DEMO_RATES = [5, 20, 100, 500, 2000] as const;
const RATE_WINDOW_MS = 60_000;

/** The demo stream's row: on or off, its rate, and what it has sent. */
export class DemoState {
  readonly baseUrl = DEMO_BASE_URL;
  running = $state(false);
  rate = $state<number>(20);
  status = $state.raw<SourceState>({ state: 'paused' });
  collected = $state(0);
  ratePerMin = $state(0);
  warnings = $state.raw<string[]>([]);
  private source: DemoSource | null = null;
  private arrivals: number[] = [];

  constructor(private readonly onEvent: (e: SourceEvent) => void) {}

  start(): void {
    if (this.running) return;
    this.source = new DemoSource(
      {
        onEvent: (e) => {
          if (e.kind === 'update') {
            this.collected++;
            this.arrivals.push(Date.now());
          }
          this.onEvent(e);
        },
        onState: (s) => (this.status = s),
        onWarning: (w) => this.warn(w),
      },
      this.rate,
    );
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

  tick(now: number): void {
    let i = 0;
    while (i < this.arrivals.length && this.arrivals[i]! < now - RATE_WINDOW_MS) i++;
    if (i) this.arrivals.splice(0, i);
    this.ratePerMin = this.arrivals.length;
  }
}
