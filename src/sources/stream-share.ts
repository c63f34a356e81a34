import { sleep } from './source';

/**
 * One source's fair share of what the page can take in. Every status a stream delivers is parsed,
 * validated, normalised, stored in IndexedDB and merged into DuckDB on the page; a server sending
 * 10,000 a second took all of that for itself, so a second instance's rows and a console query
 * waited 10–25 s behind its backlog (issue 14). Past its share a stream reader stops reading until
 * the excess drained: the excess waits in the socket and on the server (TCP backpressure), and is
 * taken in later, in order. Nothing is dropped here, so nothing needs fetching again.
 */

/** Statuses a second one stream may hand on: 10–20× a busy real instance's federated timeline. */
export const STREAM_SHARE_PER_S = 2_500;
/**
 * And the share of the main thread's time one stream's statuses may take while they are parsed,
 * validated and normalised. Encoding them for IndexedDB, storing, garbage collection and rendering
 * cost nearly three times that again (in a CPU profile of the 10,000/s flood test that work was
 * 26 % of a main thread busy all the time), so at this share a flood leaves at least a quarter of
 * the main thread to the rest of the page. On a loaded machine the page then takes in fewer than
 * STREAM_SHARE_PER_S from that stream; the rest waits on the server.
 */
export const STREAM_TIME_SHARE = 0.2;
/** A stream may run ahead of its share by this long's worth before it waits: bursts are smoothed, not let through whole. */
const WINDOW_MS = 250;
/** A source that stayed under its share this long has caught up. */
const CAUGHT_UP_MS = 2_000;

/** Said on the row while a stream is held to its share: how much it takes in a second. */
export interface StreamBacklog {
  perSecond: number;
}

/**
 * Two leaky buckets: statuses (draining at `perSecond`) and main-thread milliseconds (draining at
 * `timeShare` of the wall clock). Past a window's worth in either, the reader waits until both
 * are back within it.
 */
export class StreamShare {
  private statuses = 0;
  private busyMs = 0;
  private levelAt: number;
  private heldAt: number | null = null;
  /** Statuses taken in since `rateStart`, for the rate the row shows. */
  private counted = 0;
  private rateStart: number;

  constructor(
    private readonly onBacklog: (b: StreamBacklog | null) => void,
    private readonly perSecond = STREAM_SHARE_PER_S,
    private readonly timeShare = STREAM_TIME_SHARE,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.levelAt = this.rateStart = now();
  }

  /** One status taken in from the stream. */
  note(): void {
    this.statuses++;
    this.counted++;
  }

  /**
   * Called by the reader after each chunk with the time the chunk's statuses took: resolves at
   * once within the share, else once the excess has drained (rejecting when `signal` aborts, like
   * every wait of the reader). A chunk can carry many statuses: what it took beyond the share is
   * paid for by waiting longer.
   */
  async pace(busyMs: number, signal: AbortSignal): Promise<void> {
    this.busyMs += busyMs;
    let t = this.drain();
    const wait = Math.max(
      ((this.statuses - (this.perSecond * WINDOW_MS) / 1000) * 1000) / this.perSecond,
      (this.busyMs - this.timeShare * WINDOW_MS) / this.timeShare,
    );
    if (wait <= 0) {
      if (this.heldAt !== null && t - this.heldAt >= CAUGHT_UP_MS) {
        this.heldAt = null;
        this.onBacklog(null);
      }
      return;
    }
    if (this.heldAt === null) {
      this.rateStart = t;
      this.counted = 0;
    }
    this.heldAt = t;
    await sleep(wait, signal);
    t = this.drain();
    const secs = (t - this.rateStart) / 1000;
    if (secs >= 1) {
      this.onBacklog({ perSecond: Math.round(this.counted / secs) });
      this.counted = 0;
      this.rateStart = t;
    }
  }

  private drain(): number {
    const t = this.now();
    const dt = t - this.levelAt;
    this.statuses = Math.max(0, this.statuses - (dt * this.perSecond) / 1000);
    this.busyMs = Math.max(0, this.busyMs - dt * this.timeShare);
    this.levelAt = t;
    return t;
  }
}
