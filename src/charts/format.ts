import { format, utcDay, utcFormat, utcMonth, utcYear } from 'd3';

const int = format(',d');
const short = format('.3~s');
const pct = format('.0%');
const pct1 = format('.1%');

/** 1,234 below 10 k, then 12.6k, 1.23M (axis and bar labels; tables show every digit). */
export const formatCount = (n: number): string => (Math.abs(n) < 10_000 ? int(Math.round(n)) : short(n));
export const formatInteger = (n: number): string => int(Math.round(n));
export const formatShare = (n: number): string => (n > 0 && n < 0.1 ? pct1(n) : pct(n));
export const formatMean = (n: number): string => (Math.abs(n) >= 100 ? int(Math.round(n)) : format('.3~f')(n));

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

const tickSecond = utcFormat('%H:%M:%S');
const tickHour = utcFormat('%H:%M');
const tickDay = utcFormat('%a %d');
const tickMonth = utcFormat('%b');
const tickYear = utcFormat('%Y');

/** Time-axis tick labels on a 24-hour clock: 06:00 within a day (06:00:30 between minutes), "Mon 23" at midnight, then months, years. */
export function timeTick(ms: number): string {
  const d = new Date(ms);
  if (d.getUTCSeconds() || d.getUTCMilliseconds()) return tickSecond(d);
  if (utcDay.floor(d) < d) return tickHour(d);
  if (utcMonth.floor(d) < d) return tickDay(d);
  if (utcYear.floor(d) < d) return tickMonth(d);
  return tickYear(d);
}
