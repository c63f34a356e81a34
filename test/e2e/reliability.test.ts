import { describe, expect, it } from 'vitest';
import { runFaultScenario } from './support/fault-scenario';

/**
 * Issue 3's proof, end to end in headless Chromium against two fake instances that record what
 * they published: 20,000 toots, 50 forced disconnects, malformed events, a 429 in the middle of a
 * backfill, a 401 after token revocation (then a fresh token), a reload mid-stream. The stored set
 * equals the ground truth minus deletes, with no duplicate. The same scenario, recorded, is
 * `npm run bench:reliability` (docs/RELIABILITY.md).
 */
describe('fault suite', () => {
  it('loses nothing and doubles nothing through drops, malformed events, a 429, a revoked token and a reload', { timeout: 600_000 }, async () => {
    const r = await runFaultScenario({ toots: 20_000, disconnects: 50, log: process.env.RELIABILITY_LOG ? (l) => console.log(l) : undefined });
    const { backfill_ms: _all, ...figures } = r;
    if (r.lost || r.duplicated || r.extra) console.log(JSON.stringify(figures, null, 2));

    expect(r.toots).toBe(20_000);
    expect(r.disconnects).toBe(50);
    expect({ lost: r.lost, duplicated: r.duplicated, extra: r.extra, lost_by_phase: r.lost_by_phase, extra_by_phase: r.extra_by_phase }).toEqual({
      lost: 0, duplicated: 0, extra: 0, lost_by_phase: {}, extra_by_phase: {},
    });
    // Per instance too: every copy a server holds reached the app (seen_on names the instance).
    expect(r.unseen_copies).toEqual({ alpha: 0, beta: 0 });
    expect(r.rows).toBe(r.expected);
    expect(r.collected, 'Toots collected').toBe(r.expected);
    expect(r.edits_applied).toBe(r.edits);
    expect(r.edits).toBeGreaterThan(0);
    expect(r.deletes).toBeGreaterThan(0);

    // 401 after revocation: the row says so with the server's reason; a new token resumed.
    // (The streaming host's reason, or the REST one when the revocation lands during a backfill.)
    expect(r.sign_in.state).toMatch(/^needs sign-in: 401: (Invalid access token|The access token was revoked)$/);
    // 429 on a backfill page (min_id), waited out until X-RateLimit-Reset (2 s), not 60 s. The
    // row announces the wait it chose: the 2 s to the reset, or less on a slow page, read against
    // the row's clock, which ticks once a second (so up to 3 s). How long it really took is the
    // benchmark's figure: a busy machine stretches it.
    expect(r.rate_limit.fault_url).toContain('min_id=');
    expect(r.rate_limit.state).toMatch(/^reconnecting in [0-3] s \(429\b/);
    // The wait never goes under the client's 1 s floor (rateLimitWait): that follows from the code
    // and the protocol, not from the machine's speed.
    expect(r.rate_limit.waited_ms).toBeGreaterThan(1000);
    // The connection the failed backfill was on is not left open beside the new one.
    expect(r.rate_limit.streams_open_after).toBe(1);
    expect(r.warnings.some((w) => /malformed/.test(w))).toBe(true);
    expect(r.page_errors).toEqual([]);
  });
});
