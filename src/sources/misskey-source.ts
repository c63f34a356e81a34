import { nestsDeeperThan } from '../core/json-depth';
import type { StreamChannel } from '../core/mastodon';
import { readNote } from '../core/misskey-note';
import { compareIds } from '../core/status-id';
import type { TootSource } from '../core/toot';
import { SocketSession } from './socket-session';
import { MAX_EVENT_CHARS } from './sse-source';
import { reconnectLoop } from './reconnect-loop';
import { StreamingReader } from './streaming-reader';
import { HttpError, type SourceCallbacks, type SourceState } from './source';
import { connectParams, fetchNotes, misskeyFeed, MisskeyApiError, noteId, walkNotesSince, type MisskeyFeed } from './misskey-timeline';
import type { WebSocketCtor } from './ws-source';

export interface MisskeyOptions {
  baseUrl: string;
  channel: StreamChannel;
  /** A pasted Misskey access token, or '' to read anonymously. */
  token: string;
  /** Highest note id the collector has stored from this server: where a backfill starts. */
  lastId(): string | null;
  watchdogMs?: number;
  webSocket?: WebSocketCtor;
}

/** The id this reader gives its one channel connection on the socket (any string does). */
const CONNECTION_ID = 'tootscope';


/**
 * A Misskey server (or a fork: Sharkey, Iceshrimp, Firefish…) read over its own API
 * (docs/FEDIVERSE-STREAMING.md § Misskey): one WebSocket at `/streaming`, a `connect` to
 * `globalTimeline`, `localTimeline` or `hashtag`, notes as `channel` messages; the gap since the last stored
 * note backfilled from `POST /api/notes/*-timeline` (`notes/search-by-tag`) after each (re)connect, with the same
 * reconnect loop, watchdog and backoff as the Mastodon readers. Each note is checked and turned
 * into a status (src/core/misskey-note.ts), so dedup by uri and storage are the usual ones.
 *
 * Anonymous where the server lets visitors see the timeline (`gtlAvailable` / `ltlAvailable`).
 * With a token, the socket carries it as `?i=` in its URL: Misskey reads it only from there or
 * from an `Authorization` header, which a browser's WebSocket cannot send. That URL is never
 * shown, logged or stored; REST requests carry the token in their JSON body.
 */
export class MisskeySource extends StreamingReader {
  constructor(
    private readonly opts: MisskeyOptions,
    private readonly cb: SourceCallbacks,
  ) {
    super();
  }

  protected run(signal: AbortSignal): Promise<void> {
    const feed = misskeyFeed(this.opts.channel);
    return reconnectLoop(signal, this.cb, (onOpen) => this.connect(signal, onOpen, feed), (err) => this.final(err, feed));
  }

  /** Failures that would only repeat: a refused token, a timeline closed to this user. */
  private final(err: unknown, feed: MisskeyFeed): SourceState | null {
    if (err instanceof MisskeyApiError && (err.code === 'GTL_DISABLED' || err.code === 'LTL_DISABLED')) {
      const which = feed.timeline === 'localTimeline' ? 'local' : 'global';
      const reason = `this server does not show its ${which} timeline to ${this.opts.token ? 'this account' : 'visitors'} (${err.code})`;
      return this.opts.token ? { state: 'error', reason } : { state: 'needs-sign-in', reason };
    }
    if (err instanceof HttpError && (err.status === 401 || err.status === 403)) return { state: 'needs-sign-in', reason: `${err.status}: ${err.reason}` };
    return null;
  }

  private wsUrl(): string {
    const base = `${this.opts.baseUrl.replace(/^http(s?):/i, 'ws$1:')}/streaming`;
    return this.opts.token ? `${base}?i=${encodeURIComponent(this.opts.token)}` : base;
  }

  private async connect(outer: AbortSignal, onOpen: () => void, feed: MisskeyFeed): Promise<void> {
    const host = new URL(this.opts.baseUrl).host;
    const session = new SocketSession({ host, watchdogMs: this.opts.watchdogMs, outer });
    const signal = session.signal;
    try {
      const Ctor = this.opts.webSocket ?? WebSocket;
      let ws: WebSocket;
      try {
        ws = new Ctor(this.wsUrl());
      } catch {
        // The URL holds the token: say what failed without it.
        throw new HttpError(401, `the token cannot be sent to ${host}`);
      }
      const opened = await session.open(ws);
      if (signal.aborted) return;
      if (!opened) {
        // A browser hides why an upgrade failed; the same token on a REST request says it.
        await fetchNotes(this.opts.baseUrl, feed, this.opts.token, { limit: 1 }, signal);
        throw new Error(`the WebSocket to ${host} could not be opened`);
      }
      onOpen();
      session.send(JSON.stringify({ type: 'connect', body: { channel: feed.timeline, id: CONNECTION_ID, params: connectParams(feed) } }));
      // Notes meanwhile wait in the queue until the gap is filled.
      await this.backfill(signal, feed);
      this.cb.onState({ state: 'streaming' });
      await session.pump((data) => this.handle(data, feed));
    } catch (err) {
      if (outer.aborted) return;
      throw err;
    } finally {
      session.close();
    }
  }

  /** Cold start: the newest page. After that: every note since the last stored one. */
  private async backfill(signal: AbortSignal, feed: MisskeyFeed): Promise<void> {
    this.cb.onState({ state: 'backfilling' });
    const lastId = this.opts.lastId();
    if (!lastId) {
      const page = await fetchNotes(this.opts.baseUrl, feed, this.opts.token, { limit: 40 }, signal);
      const sorted = [...page].sort((a, b) => compareIds(noteId(a) ?? '', noteId(b) ?? ''));
      for (const note of sorted) this.emit(note, feed, 'backfill');
      await this.cb.onColdStart?.(sorted.map(noteId).filter((id): id is string => id !== null));
      return;
    }
    await walkNotesSince({
      baseUrl: this.opts.baseUrl,
      feed,
      token: this.opts.token,
      sinceId: lastId,
      signal,
      onPage: (notes) => {
        for (const note of notes) this.emit(note, feed, 'backfill');
      },
    });
  }

  /** One text message: a note on our channel, or anything else Misskey sends (ignored), or junk (said). */
  private handle(data: unknown, feed: MisskeyFeed): void {
    if (typeof data !== 'string') return this.cb.onWarning('a binary WebSocket message skipped');
    if (data.length > MAX_EVENT_CHARS) return this.cb.onWarning(`a WebSocket message longer than ${MAX_EVENT_CHARS / (1024 * 1024)} M characters skipped`);
    let msg: { type?: unknown; body?: { id?: unknown; type?: unknown; body?: unknown } | null };
    try {
      msg = JSON.parse(data) as typeof msg;
    } catch {
      return this.cb.onWarning(`a WebSocket message that is not JSON skipped: ${data.slice(0, 80)}`);
    }
    if (typeof msg !== 'object' || msg === null) return this.cb.onWarning(`an unreadable WebSocket message skipped: ${data.slice(0, 80)}`);
    if (msg.type !== 'channel' || msg.body?.id !== CONNECTION_ID || msg.body.type !== 'note') return;
    this.emit(msg.body.body, feed, 'stream');
  }

  /**
   * What the collector knows a skipped note by (its id and uri, as for a status), so one that each
   * backfill brings again is counted once. A local note has no `uri`: its own is made as the mapper makes it.
   */
  private identity(note: unknown): unknown {
    if (typeof note !== 'object' || note === null) return note;
    const { id, uri } = note as { id?: unknown; uri?: unknown };
    if (typeof id !== 'string') return note;
    return { id, uri: typeof uri === 'string' ? uri : `${this.opts.baseUrl}/notes/${id}` };
  }

  private emit(note: unknown, feed: MisskeyFeed, via: TootSource): void {
    if (nestsDeeperThan(note)) {
      this.cb.onEvent({ kind: 'skipped', status: note, reason: `note nested deeper than any real one (${via}, id ${String(noteId(note)).slice(0, 24)})` });
      return;
    }
    const read = readNote(note, this.opts.baseUrl);
    if (read.kind === 'invalid') {
      this.cb.onEvent({ kind: 'skipped', status: this.identity(note), reason: `note ${read.reason}` });
      return;
    }
    if (read.kind === 'renote') return;
    if (feed.keep !== 'all' && read.status.account.acct.endsWith(`@${new URL(this.opts.baseUrl).host}`) !== (feed.keep === 'local')) return;
    this.cb.onEvent({ kind: 'update', status: read.status, via });
  }
}
