import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../src/ui/rate-window';

/** Issue 17: the demo set to 20 toots/s showed 109/min — a count of the seconds so far, not a rate. */
describe('RateWindow', () => {
  /** 20 toots a second, two every 100 ms, from `t0` for `seconds`. */
  function stream(w: RateWindow, t0: number, seconds: number): number {
    let t = t0;
    for (; t < t0 + seconds * 1000; t += 100) w.note(2, t);
    return t;
  }

  it('gives 20/s as 1,200/min five seconds in, not the 100 that arrived so far', () => {
    const w = new RateWindow();
    w.restart(0);
    const end = stream(w, 0, 5);
    expect(w.perMinute(end)).toBe(1200);
  });

  it('says nothing until two seconds are measured', () => {
    const w = new RateWindow();
    w.restart(10_000);
    expect(w.perMinute(10_000)).toBeNull();
    stream(w, 10_000, 1);
    expect(w.perMinute(11_000)).toBeNull();
    expect(new RateWindow().perMinute(5)).toBeNull();
  });

  it('measures the last minute once a minute has passed, and a pause brings it down', () => {
    const w = new RateWindow();
    w.restart(0);
    const end = stream(w, 0, 120);
    expect(w.perMinute(end)).toBe(1200);
    expect(w.perMinute(end + 30_000)).toBe(600);
    expect(w.perMinute(end + 61_000)).toBe(0);
  });

  it('starts from the first toot when never restarted (a row that resumes later)', () => {
    const w = new RateWindow();
    const end = stream(w, 50_000, 10);
    expect(w.perMinute(end)).toBe(1200);
  });
});

describe('stored bytes per toot', () => {
  it('is shown only once there are enough toots for it to mean something', async () => {
    const { perTootText } = await import('../../src/ui/format');
    expect(perTootText(373_000, 24)).toBe('');
    expect(perTootText(2_000_000, 9_999)).toBe('');
    expect(perTootText(1_100_000, 10_000)).toBe(' (110 B/toot)');
    expect(perTootText(0, 50_000)).toBe('');
  });
});
