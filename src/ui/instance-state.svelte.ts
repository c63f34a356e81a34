import type { StreamChannel } from '../core/mastodon';
import { backoffDelay } from '../sources/backoff';
import { discoverInstance, type InstanceInfo } from '../sources/discovery';
import { NoAnswerError, TooLargeError } from '../sources/http-guard';
import { RestPoller } from '../sources/rest-poller';
import { SseSource } from '../sources/sse-source';
import { isMisskeyFamily, streamsAnonymously, streamsOnlyOverWebSocket } from '../sources/nodeinfo';
import { MisskeySource } from '../sources/misskey-source';
import { WsSource } from '../sources/ws-source';
import type { RowMirror } from '../store/tab-mirror';
import type { StreamCoverage } from '../sources/reconcile';
import { sleep, type SourceEvent, type SourceState } from '../sources/source';
import { ChannelFeed, combinedState } from './channel-feed.svelte';
import { reconcileIntervalMs } from './reconcile-setting';
import { RateWindow } from './rate-window';

export interface InstanceHooks {
  onEvent(inst: InstanceState, event: SourceEvent, channel: StreamChannel): void;
  /** Highest id already stored from this instance by this feed, to continue (and backfill) from. */
  lastId(baseUrl: string, channel: StreamChannel): string | null;
  /** A feed's cold start showed the page with these ids: the collector keeps where collection begins. */
  coldStart?(baseUrl: string, channel: StreamChannel, pageIds: readonly string[]): Promise<void>;
  onChanged(): void;
  /** False while another tab collects: the row waits in standby. */
  canCollect(): boolean;
  /** Discovery found what the server is. */
  onDiscovered?(info: InstanceInfo): void;
}

/** One instance's row: where it is in discovery and collection, and what it has brought in. */
export class InstanceState {
  readonly baseUrl: string;
  readonly host: string;
  /** What the row follows on its instance, each with its own reader; never empty. */
  feeds = $state.raw<ChannelFeed[]>([new ChannelFeed('public')]);
  /** The row's own state (discovery, paused, standby); null once its feeds' readers run. */
  private rowStatus = $state.raw<SourceState | null>({ state: 'connecting' });
  /** How a signed-in Mastodon row streams; servers that only speak WebSocket always use it. Not saved yet. */
  transport = $state<'sse' | 'ws'>('sse');
  token = $state('');
  paused = $state(false);
  info = $state.raw<InstanceInfo | null>(null);
  /** Toots from this instance that are stored (in IndexedDB), not merely received. */
  collected = $state(0);
  /** Statuses this instance sent that failed validation and were skipped. */
  skipped = $state(0);
  warnings = $state.raw<string[]>([]);
  /** Stored toots per minute (the last minute, or since the row started when shorter); null at first. */
  ratePerMin = $state<number | null>(null);
  /** The clock, ticked once a second, for countdowns in the row. */
  now = $state(Date.now());
  private readonly rate = new RateWindow();
  private discovery: AbortController | null = null;

  constructor(
    baseUrl: string,
    private readonly hooks: InstanceHooks,
  ) {
    this.baseUrl = baseUrl;
    this.host = new URL(baseUrl).host;
  }

  get status(): SourceState {
    return this.rowStatus ?? combinedState(this.feeds);
  }

  /** A state of the whole row (discovery, paused, standby): each feed is in it too until its reader runs. */
  set status(s: SourceState) {
    this.rowStatus = s;
    for (const f of this.feeds) f.status = s;
  }

  /** The first feed's channel (a row of one feed: its only one). */
  get channel(): StreamChannel {
    return this.feeds[0]!.channel;
  }

  get channels(): StreamChannel[] {
    return this.feeds.map((f) => f.channel);
  }

  /** How complete the stream is, from reconciling with the REST timeline; null until measured, and for a row of several feeds (each shows its own). */
  get coverage(): StreamCoverage | null {
    return this.feeds.length === 1 ? this.feeds[0]!.coverage : null;
  }

  /** The feeds a saved row or a shared link names, before the row starts. */
  setFeeds(channels: readonly StreamChannel[]): void {
    const unique = [...new Set(channels)];
    this.feeds = (unique.length ? unique : ['public' as const]).map((c) => new ChannelFeed(c));
  }

  get mode(): 'stream' | 'poll' {
    return this.token ? 'stream' : 'poll';
  }

  /** Akkoma, Pleroma and GoToSocial (by NodeInfo) have no SSE stream; Misskey has its own socket. */
  get webSocketOnly(): boolean {
    return streamsOnlyOverWebSocket(this.info?.software) || this.misskey;
  }

  /** Misskey or a fork: read over its own API, signed in only by a pasted token. */
  get misskey(): boolean {
    return isMisskeyFamily(this.info?.software);
  }

  /** How the row reads its server, for the row's label: "WebSocket, anonymous", "SSE, signed in"… */
  get connection(): string {
    if (!this.info) return '';
    const who = this.token ? 'signed in' : 'anonymous';
    if (this.misskey || (!this.token && streamsAnonymously(this.info.software))) return `WebSocket, ${who}`;
    if (!this.token) return 'REST polling, anonymous';
    return `${this.transport === 'ws' || this.webSocketOnly ? 'WebSocket' : 'SSE'}, ${who}`;
  }

  async start(): Promise<void> {
    this.stopSource();
    if (this.paused) {
      this.status = { state: 'paused' };
      return;
    }
    if (!this.hooks.canCollect()) {
      this.status = { state: 'standby' };
      return;
    }
    this.status = { state: 'connecting' };
    if (!this.info) {
      const discovery = new AbortController();
      this.discovery = discovery;
      // A server that does not answer (or floods) may recover: try again, backing off. Any other
      // failure (not Mastodon, a redirect elsewhere) would only repeat, so the row stops on it.
      for (let attempt = 0; !this.info; attempt++) {
        try {
          this.info = await discoverInstance(this.baseUrl, discovery.signal);
          this.hooks.onDiscovered?.(this.info);
        } catch (err) {
          if (discovery.signal.aborted) return;
          if (!(err instanceof NoAnswerError || err instanceof TooLargeError)) {
            this.status = { state: 'error', reason: (err as Error).message };
            return;
          }
          const wait = backoffDelay(attempt, 5_000, 5 * 60_000);
          this.status = { state: 'reconnecting', reason: err.message, nextAttemptAt: Date.now() + wait };
          try {
            await sleep(wait, discovery.signal);
          } catch {
            return;
          }
        }
      }
    }
    if (this.paused) return;
    this.rowStatus = null;
    for (const feed of this.feeds) this.startFeed(feed);
  }

  /** One feed's reader, of the kind the server and the sign-in call for. */
  private startFeed(feed: ChannelFeed): void {
    const info = this.info;
    if (!info) return;
    feed.stop();
    feed.status = { state: 'connecting' };
    feed.coverage = null;
    const channel = feed.channel;
    const cb = {
      onEvent: (e: SourceEvent) => this.hooks.onEvent(this, e, channel),
      onState: (s: SourceState) => {
        feed.status = s;
      },
      onWarning: (w: string) => this.warn(this.feeds.length > 1 ? `${channel}: ${w}` : w),
      onCoverage: (c: StreamCoverage) => {
        feed.coverage = c;
      },
      onColdStart: async (ids: readonly string[]) => this.hooks.coldStart?.(this.baseUrl, channel, ids),
    };
    const lastId = () => this.hooks.lastId(this.baseUrl, channel);
    const streamOpts = { baseUrl: this.baseUrl, streamingBase: info.streamingBase, channel, token: this.token, lastId, reconcileMs: reconcileIntervalMs() };
    // Akkoma and Pleroma stream public timelines to anyone: no need to poll them.
    feed.source = this.misskey
      ? new MisskeySource({ baseUrl: this.baseUrl, channel, token: this.token, lastId }, cb)
      : !this.token && !streamsAnonymously(info.software)
      ? new RestPoller({ baseUrl: this.baseUrl, channel, token: null, lastId }, cb)
      : this.transport === 'ws' || this.webSocketOnly
        ? new WsSource(streamOpts, cb)
        : new SseSource(streamOpts, cb);
    feed.source.start();
  }

  warn(message: string): void {
    this.warnings = [...this.warnings.slice(-4), message];
  }

  pause(): void {
    this.paused = true;
    this.stopSource();
    this.status = { state: 'paused' };
    this.hooks.onChanged();
  }

  resume(): void {
    this.paused = false;
    this.hooks.onChanged();
    void this.start();
  }

  /**
   * Try now instead of at the end of the backoff (the person knows the server is back, or the
   * network returned). Only a row that is waiting to retry or stopped on an error restarts.
   */
  retryNow(): void {
    if (this.paused || (this.status.state !== 'reconnecting' && this.status.state !== 'error')) return;
    void this.start();
  }

  setToken(token: string): void {
    const t = token.trim();
    if (t === this.token) return;
    this.token = t;
    this.hooks.onChanged();
    if (!this.paused) void this.start();
  }

  private feedOf(channel: StreamChannel): ChannelFeed | undefined {
    return this.feeds.find((f) => f.channel === channel);
  }

  /** Follows one more feed on this instance; false if the row follows it already. */
  addChannel(channel: StreamChannel): boolean {
    if (this.channels.includes(channel)) return false;
    const feed = new ChannelFeed(channel);
    this.feeds = [...this.feeds, feed];
    this.hooks.onChanged();
    // Readers running: this one joins them. Otherwise the row's next start starts it.
    if (this.rowStatus === null && !this.paused) this.startFeed(feed);
    return true;
  }

  /** Stops following a feed; a row keeps at least one (Remove takes the row away). */
  removeChannel(channel: StreamChannel): void {
    const feed = this.feedOf(channel);
    if (!feed || this.feeds.length < 2) return;
    feed.stop();
    this.feeds = this.feeds.filter((f) => f !== feed);
    this.hooks.onChanged();
  }

  setTransport(transport: 'sse' | 'ws'): void {
    if (transport === this.transport) return;
    this.transport = transport;
    if (!this.paused && this.token) void this.start();
  }

  stopSource(): void {
    this.discovery?.abort();
    this.discovery = null;
    for (const f of this.feeds) f.stop();
  }

  /** `n` toots that `channel` brought reached IndexedDB for the first time. */
  noteFeedStored(channel: StreamChannel, n: number): void {
    const feed = this.feedOf(channel);
    if (feed) feed.collected += n;
  }

  /** `n` of this instance's toots reached IndexedDB. */
  noteStored(n: number, now = Date.now()): void {
    this.collected += n;
    this.rate.note(n, now);
  }

  /** One status skipped as malformed: counted, and the reason shown. */
  noteSkipped(reason: string): void {
    this.skipped++;
    this.warn(`malformed status skipped: ${reason}`);
  }

  /** Called once a second: toots per minute over the last minute (in standby, the collector's). */
  tick(now: number): void {
    this.now = now;
    if (this.status.state !== 'standby') this.ratePerMin = this.rate.perMinute(now);
  }

  /** This row as it is shown, for the other tabs (tab-mirror.ts). */
  mirror(): RowMirror {
    return {
      baseUrl: this.baseUrl, status: this.status, collected: this.collected, skipped: this.skipped, ratePerMin: this.ratePerMin,
      feeds: this.feeds.map((f) => [f.channel, f.collected, f.status]),
    };
  }

  /** In standby: the collecting tab's state and counts for this row. */
  showMirror(m: RowMirror): void {
    if (this.status.state !== 'standby') return;
    this.status = standbyOf(m.status);
    this.collected = m.collected;
    this.skipped = m.skipped;
    this.ratePerMin = m.ratePerMin;
    for (const [channel, n, state] of m.feeds ?? []) {
      const feed = this.feedOf(channel);
      if (!feed) continue;
      feed.collected = n;
      // As the row: standby, with the collecting tab's state of that feed.
      if (state) feed.status = standbyOf(state);
    }
  }
}

/** A state as a viewer tab shows it: standby, with the collecting tab's state inside. */
function standbyOf(s: SourceState): SourceState {
  return s.state === 'standby' ? { state: 'standby' } : { state: 'standby', remote: s };
}
