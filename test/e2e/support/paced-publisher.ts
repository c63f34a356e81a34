import type { FakeMastodon } from '../../fake-mastodon';

/**
 * Publishes on a fake instance at a steady rate (statuses per second) and records when each uri
 * went out, so a test can ask "what had the server sent by time t". The rate is kept on average:
 * a tick that comes late (a busy event loop) publishes what the missed ticks would have.
 */
export class PacedPublisher {
  /** Every uri published, in order, with its send time (epoch ms) at the same index. */
  readonly uris: string[] = [];
  readonly sentAt: number[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private started = 0;
  private inRun = 0;
  private limit = Infinity;

  constructor(
    private readonly fake: FakeMastodon,
    private readonly perSecond: number,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** Statuses published since the last start(). */
  get sinceStart(): number {
    return this.inRun;
  }

  /** Publishes until stop(), or until `limit` statuses went out in this run. */
  start(limit = Infinity): void {
    if (this.timer) return;
    this.started = Date.now();
    this.inRun = 0;
    this.limit = limit;
    this.timer = setInterval(() => this.tick(), 5);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Uris sent at or before `t`. */
  sentBy(t: number): string[] {
    let n = 0;
    while (n < this.sentAt.length && this.sentAt[n]! <= t) n++;
    return this.uris.slice(0, n);
  }

  private tick(): void {
    const due = Math.min(Math.floor(((Date.now() - this.started) * this.perSecond) / 1000), this.limit) - this.inRun;
    for (let i = 0; i < due; i++) {
      const s = this.fake.publish();
      this.uris.push(s.uri);
      this.sentAt.push(Date.now());
      this.inRun++;
    }
    if (this.inRun >= this.limit) this.stop();
  }
}
