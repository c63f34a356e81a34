import type { StreamCoverage } from '../sources/reconcile';
import { formatInt } from './format';

/**
 * A stream's completeness in plain words for its row, e.g. "stream complete: 52 % (last 10 min) ·
 * 431 missed posts fetched over REST"; null while nothing has been measured. The percentage is
 * rounded down, so "100 %" means nothing was missed.
 */
export function describeCoverage(c: StreamCoverage | null): { text: string; detail: string } | null {
  if (!c || (c.ratio === null && c.missedFetched === 0)) return null;
  const parts: string[] = [];
  const details: string[] = [];
  const minutes = Math.round(c.windowMs / 60_000);
  if (c.ratio !== null) {
    parts.push(`stream complete: ${Math.floor(c.ratio * 100)} % (last ${minutes} min)`);
    details.push(`${formatInt(c.delivered)} of the ${formatInt(c.shown)} posts the public timeline showed in the last ${minutes} min came over the stream`);
  }
  if (c.missedFetched > 0) {
    const posts = c.missedFetched === 1 ? 'missed post' : 'missed posts';
    parts.push(`${formatInt(c.missedFetched)} ${posts} fetched over REST`);
    details.push(`${formatInt(c.missedFetched)} the stream never delivered were fetched from the timeline`);
  }
  return { text: parts.join(' · '), detail: `${details.join('; ')}.` };
}
