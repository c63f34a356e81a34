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
    case 'standby': return s.remote ? `${describeState(s.remote, now)} in another tab` : 'collected in another tab';
    case 'reconnecting': return `reconnecting in ${inSeconds(s.nextAttemptAt, now)} (${s.reason})`;
    case 'rate-limited': return `rate limited, next try in ${inSeconds(s.nextAttemptAt, now)} (${s.reason})`;
    case 'needs-sign-in': return `needs sign-in: ${s.reason}`;
    case 'error': return `error: ${s.reason}`;
  }
}

/**
 * What the state means for the person and what they can do, in plain words, for the states where
 * the short text (and the server's own reason in it) is not enough; null otherwise (issue 18).
 */
export function explainState(s: SourceState, signedIn: boolean): string | null {
  switch (s.state) {
    case 'needs-sign-in':
      return signedIn
        ? 'The instance did not accept this sign-in (the token may have been revoked or may lack the read scope). Sign out, then sign in again.'
        : 'This instance shows its timeline only to signed-in users. Sign in to collect from it.';
    case 'reconnecting':
      return 'The instance did not answer as expected. Tootscope tries again by itself, waiting longer each time; Retry now tries at once. Nothing collected so far is lost.';
    case 'rate-limited':
      return 'The instance asks clients to slow down. Collection resumes by itself when its limit resets; what was posted meanwhile is fetched then.';
    case 'error':
      return 'Collection from this instance stopped. Check the address or the message above, then Retry now.';
    case 'standby':
      return 'Another Tootscope tab in this browser collects this instance; this tab shows what it stores.';
    default:
      return null;
  }
}
