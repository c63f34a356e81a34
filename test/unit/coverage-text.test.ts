import { describe, expect, it } from 'vitest';
import { describeCoverage } from '../../src/ui/coverage-text';
import { RECONCILE_SECONDS_KEY, reconcileIntervalMs } from '../../src/ui/reconcile-setting';

const c = (o: Partial<Parameters<typeof describeCoverage>[0] & object>) => ({
  shown: 0, delivered: 0, ratio: null, windowMs: 600_000, missedFetched: 0, ...o,
});

describe('the row’s coverage words', () => {
  it('says nothing until measured, then the share (rounded down) and what REST brought', () => {
    expect(describeCoverage(null)).toBeNull();
    expect(describeCoverage(c({}))).toBeNull();
    expect(describeCoverage(c({ shown: 829, delivered: 431, ratio: 431 / 829, missedFetched: 1398 }))).toEqual({
      text: 'stream complete: 51 % (last 10 min) · 1,398 missed posts fetched over REST',
      detail: '431 of the 829 posts the public timeline showed in the last 10 min came over the stream; 1,398 the stream never delivered were fetched from the timeline.',
    });
    // 999 of 1000 is not "100 %": that would claim nothing was missed.
    expect(describeCoverage(c({ shown: 1000, delivered: 999, ratio: 0.999, missedFetched: 1 }))?.text).toBe(
      'stream complete: 99 % (last 10 min) · 1 missed post fetched over REST',
    );
    expect(describeCoverage(c({ shown: 5, delivered: 5, ratio: 1 }))?.text).toBe('stream complete: 100 % (last 10 min)');
    // The window emptied but posts were fetched earlier: still worth saying.
    expect(describeCoverage(c({ missedFetched: 3 }))?.text).toBe('3 missed posts fetched over REST');
  });

  it('reads the interval knob from storage, bounded to 1–3600 s', () => {
    const store = (v: string | null) => ({ getItem: (k: string) => (k === RECONCILE_SECONDS_KEY ? v : null) });
    expect(reconcileIntervalMs(undefined)).toBe(60_000);
    expect(reconcileIntervalMs(store(null))).toBe(60_000);
    expect(reconcileIntervalMs(store('2'))).toBe(2000);
    expect(reconcileIntervalMs(store('0'))).toBe(1000);
    expect(reconcileIntervalMs(store('1e9'))).toBe(3_600_000);
    expect(reconcileIntervalMs(store('soon'))).toBe(60_000);
    expect(reconcileIntervalMs({ getItem: () => { throw new Error('blocked'); } })).toBe(60_000);
  });
});
