import { formatMinute } from './format';

/**
 * The time filter as text, for the keyboard's way to set it (issue 18: the brush was mouse-only).
 * Times are wall-clock times in the charts' zone: `offsetMinutes` is that zone's offset from UTC,
 * as the charts use it (a bucket start + offset = the wall clock shown).
 */
export type ParsedTime = { ok: true; ms: number | null } | { ok: false; message: string };

const PATTERN = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?$/;

/** "2026-11-20 10:00" (or just the day) → epoch ms; empty → null (that end stays open). */
export function parseWallClock(text: string, offsetMinutes: number): ParsedTime {
  const t = text.trim();
  if (!t) return { ok: true, ms: null };
  const m = PATTERN.exec(t);
  if (!m) return { ok: false, message: `“${t}” is not a time: write it as 2026-11-20 14:30 (year-month-day hours:minutes).` };
  const [y, mo, d, h = 0, mi = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h, mi);
  const back = new Date(wall);
  if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d || h! > 23 || mi! > 59) {
    return { ok: false, message: `“${t}” is not a date and time that exists.` };
  }
  return { ok: true, ms: wall - offsetMinutes * 60_000 };
}

/** The inverse, for showing the current filter in the fields. */
export function formatWallClock(ms: number | null, offsetMinutes: number): string {
  return ms === null ? '' : formatMinute(new Date(ms + offsetMinutes * 60_000));
}

/** Both ends, checked together: a range that ends before it starts says so. */
export function parseRange(fromText: string, toText: string, offsetMinutes: number): { ok: true; from: number | null; to: number | null } | { ok: false; message: string } {
  const from = parseWallClock(fromText, offsetMinutes);
  if (!from.ok) return { ok: false, message: `From: ${from.message}` };
  const to = parseWallClock(toText, offsetMinutes);
  if (!to.ok) return { ok: false, message: `To: ${to.message}` };
  if (from.ms !== null && to.ms !== null && from.ms >= to.ms) return { ok: false, message: 'The range ends before it starts: To must be later than From.' };
  return { ok: true, from: from.ms, to: to.ms };
}
