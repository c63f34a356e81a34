import { formatLocale, utcDay, utcFormat, utcMonth, utcYear, type FormatLocaleDefinition } from 'd3';

/**
 * d3-format's separators taken from the browser's own locale (issue 18: axes and labels were fixed
 * to en-US while the panels followed the reader). `locale` is for tests; pages pass nothing.
 */
export function numberLocale(locale?: string): FormatLocaleDefinition {
  const nf = new Intl.NumberFormat(locale);
  const parts = nf.formatToParts(1234567.5);
  const part = (type: string, fallback: string) => parts.find((p) => p.type === type)?.value ?? fallback;
  const def: FormatLocaleDefinition = { decimal: part('decimal', '.'), thousands: part('group', ','), grouping: [3], currency: ['', ''] };
  // Scripts with their own digits (Arabic, Devanagari …) keep them on the axes too.
  const plain = new Intl.NumberFormat(locale, { useGrouping: false });
  const digits = Array.from({ length: 10 }, (_, i) => plain.format(i));
  if (digits.join('') !== '0123456789') def.numerals = digits;
  // "50 %" in German and French: what follows the number, when the sign comes after it.
  const pctParts = new Intl.NumberFormat(locale, { style: 'percent' }).formatToParts(0.5);
  const sign = pctParts.findIndex((p) => p.type === 'percentSign');
  let lastDigit = -1;
  pctParts.forEach((p, i) => {
    if (p.type === 'integer') lastDigit = i;
  });
  if (sign > lastDigit) def.percent = pctParts.slice(lastDigit + 1).map((p) => p.value).join('');
  return def;
}

/** The formatters below, for one locale. */
export function numberFormats(locale?: string) {
  const { format } = formatLocale(numberLocale(locale));
  const int = format(',d');
  const short = format('.3~s');
  const pct = format('.0%');
  const pct1 = format('.1%');
  const mean = format('.3~f');
  return {
    /** 1,234 below 10 k, then 12.6k, 1.23M (axis and bar labels; tables show every digit). */
    formatCount: (n: number): string => (Math.abs(n) < 10_000 ? int(Math.round(n)) : short(n)),
    formatInteger: (n: number): string => int(Math.round(n)),
    formatShare: (n: number): string => (n > 0 && n < 0.1 ? pct1(n) : pct(n)),
    formatMean: (n: number): string => (Math.abs(n) >= 100 ? int(Math.round(n)) : mean(n)),
  };
}

export const { formatCount, formatInteger, formatShare, formatMean } = numberFormats();

/**
 * Times are bucket starts already shifted to the chosen zone's wall clock, so they are formatted
 * as UTC whatever zone the browser is in.
 */
export const formatMinute = utcFormat('%Y-%m-%d %H:%M');
export const formatDay = utcFormat('%Y-%m-%d');
const blogDayFormat = utcFormat('%Y/%m/%d %a');
/** `2023-02-03` → `2023/02/03 Fri`, the day as the blog's daily table printed it (`strftime('%Y/%m/%d %a')`). */
export const formatBlogDay = (day: string): string => {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : blogDayFormat(d);
};
const formatMonth = utcFormat('%Y-%m');
export const formatBucket = (t: number, grain: string): string =>
  grain === 'month' ? formatMonth(new Date(t)) : grain === 'day' || grain === 'week' ? formatDay(new Date(t)) : formatMinute(new Date(t));

/** `https://mastodon.social` → `mastodon.social` for labels; the value stays the full URL. */
export const hostLabel = (v: string): string => v.replace(/^https?:\/\//i, '');

/** Time-axis ticks for one locale: the clock stays 24-hour, day and month names are the reader's. */
export function timeTicks(locale?: string): (ms: number) => string {
  const tickSecond = utcFormat('%H:%M:%S');
  const tickHour = utcFormat('%H:%M');
  const tickYear = utcFormat('%Y');
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const month = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' });
  const dayOfMonth = utcFormat('%d');
  return (ms: number): string => {
    const d = new Date(ms);
    if (d.getUTCSeconds() || d.getUTCMilliseconds()) return tickSecond(d);
    if (utcDay.floor(d) < d) return tickHour(d);
    if (utcMonth.floor(d) < d) return `${weekday.format(d)} ${dayOfMonth(d)}`;
    if (utcYear.floor(d) < d) return month.format(d);
    return tickYear(d);
  };
}

/** Time-axis tick labels on a 24-hour clock: 06:00 within a day (06:00:30 between minutes), "Mon 23" at midnight, then months, years. */
export const timeTick = timeTicks();
