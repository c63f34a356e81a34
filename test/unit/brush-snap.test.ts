import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { brushedRange, snapBrush } from '../../src/charts/brush-snap';
import { GRAIN_MINUTES, GRAINS, type TimeGrain } from '../../src/core/sql/charts/filters';

const at = (iso: string) => Date.parse(`${iso}Z`);

describe('a brush snapped to the buckets of its chart', () => {
  it('moves each end to the nearest edge of an hour, a minute or a day', () => {
    expect(snapBrush([at('2026-11-20T10:07:13'), at('2026-11-20T13:52:40')], 'hour')).toEqual([at('2026-11-20T10:00:00'), at('2026-11-20T14:00:00')]);
    expect(snapBrush([at('2026-11-20T10:07:31'), at('2026-11-20T10:09:29')], 'minute')).toEqual([at('2026-11-20T10:08:00'), at('2026-11-20T10:09:00')]);
    expect(snapBrush([at('2026-11-20T10:07:00'), at('2026-11-23T13:00:00')], 'day')).toEqual([at('2026-11-20T00:00:00'), at('2026-11-24T00:00:00')]);
    // Weeks and months have days for edges.
    expect(snapBrush([at('2026-11-20T10:07:00'), at('2026-12-23T13:00:00')], 'month')).toEqual([at('2026-11-20T00:00:00'), at('2026-12-24T00:00:00')]);
  });

  it('keeps the bucket a short drag lies in, and a drag over an edge keeps both buckets', () => {
    expect(snapBrush([at('2026-11-20T10:10:00'), at('2026-11-20T10:20:00')], 'hour')).toEqual([at('2026-11-20T10:00:00'), at('2026-11-20T11:00:00')]);
    expect(snapBrush([at('2026-11-20T10:50:00'), at('2026-11-20T11:10:00')], 'hour')).toEqual([at('2026-11-20T10:00:00'), at('2026-11-20T12:00:00')]);
  });

  it("snaps in the chart's local time and gives the filter in UTC", () => {
    // At UTC+5:30 the chart draws local times (10:07 is 04:37 UTC) and its hours are half past in UTC.
    expect(brushedRange([at('2026-11-20T10:07:13'), at('2026-11-20T13:52:40')], 'hour', 330))
      .toEqual([at('2026-11-20T04:30:00'), at('2026-11-20T08:30:00')]);
  });

  it('gives edges of its buckets, never an empty range, and moves no end by more than a bucket', () => {
    const t = fc.integer({ min: at('2020-01-01T00:00:00'), max: at('2030-01-01T00:00:00') });
    fc.assert(fc.property(t, fc.integer({ min: 1, max: 40 * 86_400_000 }), fc.constantFrom<TimeGrain>(...GRAINS), (a, d, grain) => {
      const size = Math.min(GRAIN_MINUTES[grain], 1440) * 60_000;
      const [from, to] = snapBrush([a, a + d], grain);
      expect(from % size).toBe(0);
      expect(to % size).toBe(0);
      expect(to).toBeGreaterThan(from);
      expect(Math.abs(from - a)).toBeLessThanOrEqual(size);
      expect(Math.abs(to - (a + d))).toBeLessThanOrEqual(size);
      // A drag over at least a bucket ends at the nearest edges.
      if (d >= size) expect([Math.abs(from - a), Math.abs(to - a - d)].every((x) => x <= size / 2)).toBe(true);
    }), { seed: 20261207, numRuns: 500 });
  });
});
