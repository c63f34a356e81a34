import { describe, expect, it } from 'vitest';
import { describeState, explainState } from '../../src/ui/source-status';

describe('instance row state in plain words (issue 18)', () => {
  it('says what a sign-in requirement means and what to do, signed in or not', () => {
    const s = { state: 'needs-sign-in', reason: '422: This method requires an authenticated user' } as const;
    expect(describeState(s)).toBe('needs sign-in: 422: This method requires an authenticated user');
    expect(explainState(s, false)).toBe('This instance shows its timeline only to signed-in users. Sign in to collect from it.');
    expect(explainState(s, true)).toMatch(/did not accept this sign-in.*sign in again/);
  });

  it('says a waiting row retries by itself and can be told to retry now', () => {
    const s = { state: 'reconnecting', reason: 'no answer from a.test in 20 s', nextAttemptAt: 61_000 } as const;
    expect(describeState(s, 1_000)).toBe('reconnecting in 60 s (no answer from a.test in 20 s)');
    expect(explainState(s, false)).toMatch(/tries again by itself.*Retry now/);
  });

  it('adds nothing where the short state says it all', () => {
    for (const state of ['connecting', 'streaming', 'polling', 'backfilling', 'paused'] as const) expect(explainState({ state }, false)).toBeNull();
  });
});
