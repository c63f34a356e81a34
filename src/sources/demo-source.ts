import type { MastodonStatus } from '../core/mastodon';
import { StatusGenerator } from '../core/demo/generator';
import type { Source, SourceCallbacks } from './source';

/**
 * Every server name in the demo ends in this reserved name, the instance it pretends to read
 * included, so the summary, the charts and an export say "demo" wherever a host shows.
 */
export const DEMO_HOST_SUFFIX = '.demo.invalid';
export const DEMO_BASE_URL = `https://mastodon.social${DEMO_HOST_SUFFIX}`;
const TICK_MS = 100;
const RECENT = 200;

/**
 * The built-in demo: generated statuses at a chosen rate, in the browser, with no network.
 * Like a real stream it sometimes edits or deletes a post it sent, and sometimes sends a delete
 * before the post itself (PROTOCOL.md: order is not guaranteed).
 */
export class DemoSource implements Source {
  private timer: ReturnType<typeof setInterval> | null = null;
  private carry = 0;
  private recent: MastodonStatus[] = [];
  private held: MastodonStatus | null = null;
  readonly gen: StatusGenerator;

  constructor(
    private readonly cb: SourceCallbacks,
    public ratePerSecond = 20,
    seed = Date.now() >>> 0,
  ) {
    this.gen = new StatusGenerator({ seed, collectedFrom: DEMO_BASE_URL, hostSuffix: DEMO_HOST_SUFFIX });
  }

  start(): void {
    if (this.timer) return;
    this.cb.onState({ state: 'streaming' });
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.cb.onState({ state: 'paused' });
  }

  private tick(): void {
    this.carry += (this.ratePerSecond * TICK_MS) / 1000;
    const n = Math.floor(this.carry);
    this.carry -= n;
    for (let i = 0; i < n; i++) this.emitOne();
  }

  private emitOne(): void {
    const r = Math.random();
    if (r < 0.01 && this.recent.length) {
      const [gone] = this.recent.splice(Math.floor(Math.random() * this.recent.length), 1);
      this.cb.onEvent({ kind: 'delete', id: gone!.id });
      return;
    }
    if (r < 0.015 && this.recent.length) {
      const i = Math.floor(Math.random() * this.recent.length);
      const edited = this.gen.edit(this.recent[i]!);
      this.recent[i] = edited;
      this.cb.onEvent({ kind: 'update', status: edited, via: 'demo' });
      return;
    }
    const status = this.gen.next(Date.now());
    if (this.held) {
      this.cb.onEvent({ kind: 'update', status: this.held, via: 'demo' });
      this.held = null;
    }
    if (r < 0.017) {
      // Out of order: this post's delete first, then the post on the next tick.
      this.cb.onEvent({ kind: 'delete', id: status.id });
      this.held = status;
      return;
    }
    this.recent.push(status);
    if (this.recent.length > RECENT) this.recent.shift();
    this.cb.onEvent({ kind: 'update', status, via: 'demo' });
  }
}
