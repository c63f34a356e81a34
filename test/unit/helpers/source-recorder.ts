import type { SourceCallbacks, SourceEvent, SourceState } from '../../../src/sources/source';
import { maxId } from '../../../src/core/status-id';

/**
 * Callbacks for a reader under test that keep what it reports and, as the app's intake does, the
 * newest id it delivered: `lastId` is what the reader asks for when it backfills.
 */
export function recordSource(): { events: SourceEvent[]; states: SourceState[]; lastId: () => string | null; callbacks: SourceCallbacks } {
  const events: SourceEvent[] = [];
  const states: SourceState[] = [];
  let last: string | null = null;
  return {
    events,
    states,
    lastId: () => last,
    callbacks: {
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'update') last = maxId(last, e.status.id);
      },
      onState: (s) => states.push(s),
      onWarning: () => undefined,
    },
  };
}
