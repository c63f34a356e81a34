import { describe, expect, it } from 'vitest';
import { formatWallClock, parseRange, parseWallClock } from '../../src/charts/time-range';

/** The keyboard's way to set the time filter: typed wall-clock times in the charts' zone. */
describe('time range fields', () => {
  it('reads a minute or a day in UTC and in a zone ahead of it', () => {
    expect(parseWallClock('2026-11-20 10:00', 0)).toEqual({ ok: true, ms: Date.parse('2026-11-20T10:00:00Z') });
    expect(parseWallClock(' 2026-11-20T10:05 ', 0)).toEqual({ ok: true, ms: Date.parse('2026-11-20T10:05:00Z') });
    expect(parseWallClock('2026-11-20', 0)).toEqual({ ok: true, ms: Date.parse('2026-11-20T00:00:00Z') });
    // 10:00 in UTC+1 is 09:00 UTC.
    expect(parseWallClock('2026-11-20 10:00', 60)).toEqual({ ok: true, ms: Date.parse('2026-11-20T09:00:00Z') });
    expect(formatWallClock(Date.parse('2026-11-20T09:00:00Z'), 60)).toBe('2026-11-20 10:00');
    expect(parseWallClock('', 0)).toEqual({ ok: true, ms: null });
  });

  it('says in plain words what is wrong with a time', () => {
    expect(parseWallClock('yesterday', 0)).toEqual({ ok: false, message: expect.stringContaining('write it as 2026-11-20 14:30') });
    expect(parseWallClock('2026-02-30 10:00', 0)).toEqual({ ok: false, message: expect.stringContaining('not a date and time that exists') });
    expect(parseWallClock('2026-11-20 24:10', 0)).toMatchObject({ ok: false });
    expect(parseRange('2026-11-20 14:00', '2026-11-20 10:00', 0)).toEqual({ ok: false, message: expect.stringContaining('To must be later than From') });
    expect(parseRange('2026-11-20 10:00', '', 0)).toEqual({ ok: true, from: Date.parse('2026-11-20T10:00:00Z'), to: null });
  });
});
