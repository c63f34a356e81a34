import type { StreamChannel } from '../core/mastodon';
import type { StreamCoverage } from '../sources/reconcile';
import type { Source, SourceState } from '../sources/source';

/**
 * One feed a row follows on its instance (issue 19): the public timeline, its local or remote
 * half, or a hashtag. Each runs its own reader and keeps its own state, count and coverage; the
 * row shows them together.
 */
export class ChannelFeed {
  readonly channel: StreamChannel;
  status = $state.raw<SourceState>({ state: 'connecting' });
  /** Toots this feed brought that are stored; a post that two feeds bring counts in both. */
  collected = $state(0);
  coverage = $state.raw<StreamCoverage | null>(null);
  source: Source | null = null;

  constructor(channel: StreamChannel) {
    this.channel = channel;
  }

  stop(): void {
    this.source?.stop();
    this.source = null;
  }
}

/** States that need the person's eye: a row of several feeds shows the first feed in one. */
const ATTENTION: ReadonlyArray<SourceState['state']> = ['error', 'needs-sign-in', 'rate-limited', 'reconnecting', 'connecting', 'backfilling'];

/** The row's state from its feeds': the one feed's, or the first that needs attention, else the first feed's. */
export function combinedState(feeds: readonly ChannelFeed[]): SourceState {
  for (const s of ATTENTION) {
    const f = feeds.find((x) => x.status.state === s);
    if (f) return f.status;
  }
  return feeds[0]?.status ?? { state: 'connecting' };
}
