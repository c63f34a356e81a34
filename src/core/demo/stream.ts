/**
 * The demo as a public stream: `update`, `delete` and `status.update` events with their data
 * exactly as the SSE payload carries it, including the disorder real streams show (a delete can
 * arrive before the update it deletes — PROTOCOL.md § Streaming).
 */

import type { MastodonStatus, StreamEventName } from '../mastodon';
import { dailyActivity, type StatusGenerator } from './generator';
import { Rng, hash32 } from './random';

export interface DemoEvent {
  event: StreamEventName;
  /** The SSE `data:` line: a status as one-line JSON, or for `delete` the bare id. */
  data: string;
}

export interface TimedDemoEvent extends DemoEvent {
  /** When the event is due (ms, same clock as `startTime`). */
  at: number;
}

export interface DemoStreamOptions {
  /** Mean new statuses per second before the daily cycle (default 10). */
  ratePerSecond?: number;
  /** Share of events that delete a status (default 0.01). */
  deleteShare?: number;
  /** Share of events that edit a recent status (default 0.005). */
  editShare?: number;
  /** Share of deletes sent just before their own update (default 0.2). */
  earlyDeleteShare?: number;
  /** Follow the daily cycle of activity (default true). */
  dailyCycle?: boolean;
  /** Time of the first event (default: now). */
  startTime?: number;
  /** Stop after this many events (default: never). */
  count?: number;
  /** Seed for the choice between update, delete and edit (default 1). */
  seed?: number;
}

/**
 * A status as the streaming server sends it. The server appends `filtered` (the token owner's
 * filter matches, none here) to every status it streams, as the real capture shows.
 */
export function statusPayload(status: MastodonStatus): string {
  const json = JSON.stringify(status);
  return 'filtered' in status ? json : `${json.slice(0, -1)},"filtered":[]}`;
}

/** The event sequence with virtual due times, as fast as it is consumed (tests, benchmarks, fake server). */
export function* demoEventTimeline(gen: StatusGenerator, opts: DemoStreamOptions = {}): Generator<TimedDemoEvent> {
  const rate = opts.ratePerSecond ?? 10;
  const deleteShare = opts.deleteShare ?? 0.01;
  const editShare = opts.editShare ?? 0.005;
  const earlyShare = opts.earlyDeleteShare ?? 0.2;
  const cycle = opts.dailyCycle ?? true;
  const rng = new Rng(hash32(opts.seed ?? 1, 'events'));
  let t = opts.startTime ?? Date.now();
  let emitted = 0;
  const limit = opts.count ?? Infinity;

  while (emitted < limit) {
    const r = rng.next();
    if (r < deleteShare) {
      if (rng.chance(earlyShare)) {
        const s = gen.next(t);
        gen.forget(s.id);
        yield { event: 'delete', data: s.id, at: t };
        if (++emitted >= limit) return;
        yield { event: 'update', data: statusPayload(s), at: t };
        emitted++;
      } else {
        const id = gen.pickIdToDelete();
        if (id) {
          yield { event: 'delete', data: id, at: t };
          emitted++;
        }
      }
    } else if (r < deleteShare + editShare) {
      const s = gen.pickForEdit();
      if (s) {
        yield { event: 'status.update', data: statusPayload(gen.edit(s, t)), at: t };
        emitted++;
      }
    } else {
      yield { event: 'update', data: statusPayload(gen.next(t)), at: t };
      emitted++;
    }
    const r2 = rate * (cycle ? dailyActivity(t) : 1);
    t += rng.exponential(1000 / r2);
  }
}

export interface RealtimeDemoOptions extends DemoStreamOptions {
  signal?: AbortSignal;
  /** Clock (default Date.now); injectable for tests. */
  now?: () => number;
}

/**
 * The event sequence paced in real time (the in-browser demo stream). Events that fall due
 * within a few ms of each other are yielded together, so high rates do not drown in timer calls.
 */
export async function* demoEvents(gen: StatusGenerator, opts: RealtimeDemoOptions = {}): AsyncGenerator<DemoEvent> {
  const now = opts.now ?? Date.now;
  const { signal } = opts;
  for (const ev of demoEventTimeline(gen, { ...opts, startTime: opts.startTime ?? now() })) {
    if (signal?.aborted) return;
    const wait = ev.at - now();
    if (wait > 4) {
      await sleep(wait, signal);
      if (signal?.aborted) return;
    }
    yield { event: ev.event, data: ev.data };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
