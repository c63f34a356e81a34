import { describe, expect, it } from 'vitest';
import { thinTicks } from '../../src/charts/axis';

/** Issue 18: on a phone the hour-of-day axis read "12:0015:0018:00"; labels are thinned to fit instead. */
describe('x axis labels', () => {
  const hours = (spacing: number) => [0, 3, 6, 9, 12, 15, 18, 21].map((h, i) => ({ pos: i * spacing, label: `${h}:00` }));

  it('keeps every label where there is room', () => {
    expect(thinTicks(hours(60)).map((t) => t.label)).toEqual(['0:00', '3:00', '6:00', '9:00', '12:00', '15:00', '18:00', '21:00']);
  });

  it('keeps every other label (or fewer) when they would touch, never two closer than their width', () => {
    const kept = thinTicks(hours(28));
    expect(kept.map((t) => t.label)).toEqual(['0:00', '6:00', '12:00', '18:00']);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!.pos - kept[i - 1]!.pos).toBeGreaterThan(40);
  });
});
