/**
 * Rack::Attack-style fixed-window throttles. Windows start when the server starts (not at epoch
 * multiples like Rack::Attack) so a test's burst never straddles a window edge by bad luck.
 */

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface ThrottleState {
  limit: number;
  count: number;
  /** End of the current window, ms. */
  resetAt: number;
}

export class FixedWindowThrottle {
  private readonly counts = new Map<string, { window: number; count: number }>();

  constructor(
    readonly rule: RateLimitRule,
    private readonly origin: number,
  ) {}

  /** Counts one request for `key` at `now` and returns the state after counting. */
  hit(key: string, now: number): ThrottleState {
    const window = Math.floor((now - this.origin) / this.rule.windowMs);
    let entry = this.counts.get(key);
    if (!entry || entry.window !== window) {
      entry = { window, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return { limit: this.rule.limit, count: entry.count, resetAt: this.origin + (window + 1) * this.rule.windowMs };
  }
}

/** Rails' `Time#iso8601(6)`, the format Mastodon sends in X-RateLimit-Reset. */
export function iso8601Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Headers for the most constrained throttle that applied (Mastodon's RateLimitHeaders concern
 * picks the one with the fewest requests left).
 */
export function rateLimitHeaders(states: ThrottleState[]): Record<string, string> {
  const worst = states.reduce((a, b) => (b.limit - b.count < a.limit - a.count ? b : a));
  return {
    'X-RateLimit-Limit': String(worst.limit),
    'X-RateLimit-Remaining': String(Math.max(0, worst.limit - worst.count)),
    'X-RateLimit-Reset': iso8601Micro(worst.resetAt),
  };
}
