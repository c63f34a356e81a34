import type { SourceState } from '../sources/source';

const inSeconds = (at: number, now: number) => `${Math.max(0, Math.round((at - now) / 1000))} s`;

/** The words a row shows for a source's state, with the server's reason where there is one. */
/** `now` is passed in so a row's countdown re-renders as the clock ticks. */
export function describeState(s: SourceState, now = Date.now()): string {
  switch (s.state) {
    case 'connecting': return 'connecting';
    case 'streaming': return 'streaming';
    case 'polling': return 'polling';
    case 'backfilling': return 'backfilling';
    case 'paused': return 'paused';
    case 'standby': return 'collected in another tab';
    case 'reconnecting': return `reconnecting in ${inSeconds(s.nextAttemptAt, now)} (${s.reason})`;
    case 'rate-limited': return `rate limited, next try in ${inSeconds(s.nextAttemptAt, now)} (${s.reason})`;
    case 'needs-sign-in': return `needs sign-in: ${s.reason}`;
    case 'error': return `error: ${s.reason}`;
  }
}
