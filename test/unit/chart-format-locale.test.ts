import { describe, expect, it } from 'vitest';
import { numberFormats, timeTicks } from '../../src/charts/format';

/** Issue 18: chart axes and labels write numbers and names as the reader's browser does. */
describe('chart number formats follow the locale', () => {
  it('writes 1,234 and 2.5 in en-US, 1.234 and 2,5 in de-DE', () => {
    const en = numberFormats('en-US');
    const de = numberFormats('de-DE');
    expect(en.formatCount(1234)).toBe('1,234');
    expect(de.formatCount(1234)).toBe('1.234');
    expect(en.formatMean(2.5)).toBe('2.5');
    expect(de.formatMean(2.5)).toBe('2,5');
    expect(de.formatCount(12_600)).toBe('12,6k');
    expect(en.formatShare(0.25)).toBe('25%');
    expect(de.formatShare(0.25)).toBe('25\u00a0%');
  });

  it('names weekdays and months in the locale, keeping the 24-hour clock', () => {
    const mondayMidnight = Date.UTC(2026, 10, 23);
    expect(timeTicks('en-US')(mondayMidnight)).toBe('Mon 23');
    // ICU versions differ on the abbreviation's full stop.
    expect(timeTicks('de-DE')(mondayMidnight)).toMatch(/^Mo\.? 23$/);
    expect(timeTicks('de-DE')(Date.UTC(2026, 2, 1))).toMatch(/^Mär/);
    expect(timeTicks('de-DE')(Date.UTC(2026, 10, 23, 18))).toBe('18:00');
  });
});
