import type { SourceState } from '../sources/source';
import type { StreamChannel } from '../core/mastodon';

/**
 * What the collecting tab's rows show, sent to the other tabs of the page once a second, so a viewer
 * shows the collector's live state and counts instead of "0 toots" (issue 18: a viewer lagged and
 * its demo row said "stopped · 0 toots" while the other tab streamed it).
 */
export interface RowMirror {
  baseUrl: string;
  status: SourceState;
  collected: number;
  skipped: number;
  ratePerMin: number | null;
  /** Each feed's channel, count and state (absent from a tab of an older version). */
  feeds?: Array<[StreamChannel, number, SourceState]>;
}

export interface DemoMirror {
  running: boolean;
  collected: number;
  received: number;
  ratePerMin: number | null;
}

export interface TabMirror {
  rows: RowMirror[];
  demo: DemoMirror;
}
