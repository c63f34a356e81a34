import type { SourceState } from '../sources/source';

const inSeconds = (at: number) => `${Math.max(0, Math.round((at - Date.now()) / 1000))} s`;

/** The words a row shows for a source's state, with the server's reason where there is one. */
export function describeState(s: SourceState): string {
  switch (s.state) {
    case 'connecting': return 'connecting';
    case 'streaming': return 'streaming';
    case 'polling': return 'polling';
    case 'backfilling': return 'backfilling';
    case 'paused': return 'paused';
    case 'standby': return 'collected in another tab';
    case 'reconnecting': return `reconnecting in ${inSeconds(s.nextAttemptAt)} (${s.reason})`;
    case 'rate-limited': return `rate limited, next try in ${inSeconds(s.nextAttemptAt)} (${s.reason})`;
    case 'needs-sign-in': return `needs sign-in: ${s.reason}`;
    case 'error': return `error: ${s.reason}`;
  }
}
