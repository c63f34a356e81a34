/**
 * A fake Mastodon for tests: a web/API host and a separate streaming host on loopback (like
 * mastodon.social and streaming.mastodon.social), fed by the demo StatusGenerator, with a control
 * API to publish, edit and delete statuses and to inject faults.
 */

import { hash32 } from '../../src/core/demo/random';
import { StatusGenerator } from '../../src/core/demo/generator';
import { statusPayload } from '../../src/core/demo/stream';
import type { MastodonStatus } from '../../src/core/mastodon';
import type { HostileAnswer } from './hostile';
import { OAuthProvider } from './oauth';
import { spliceRaw } from './raw-json';
import type { RateLimitRule } from './rate-limit';
import { StreamingHost, type LiveFeedAccess } from './streaming';
import type { NodeInfoSoftware } from './nodeinfo';
import { TimelineStore } from './timeline';
import { TokenRegistry } from './tokens';
import { WsStreaming } from './ws-streaming';
import { idOfKind, type IdKind } from './ids';
import type { WsFlavour } from './ws-flavours';
import { WebHost, type TimelineFault } from './web';
import type { Server } from 'node:http';

export type { LiveFeedAccess } from './streaming';
export type { HostileAnswer } from './hostile';
export { rawJson, nestedArrays } from './raw-json';
export { pkceChallenge } from './oauth';

export interface FakeMastodonOptions {
  /** Logical domain in uri/url/acct of generated posts (default `alpha.test`). */
  domain?: string;
  /** Valid user tokens, scope `read`. */
  tokens?: string[];
  /** Client-credential tokens: no user behind them. */
  appOnlyTokens?: string[];
  /** User tokens whose scope lacks `read` (they have `write`). */
  wrongScopeTokens?: string[];
  /** Who may read live feeds (Mastodon 4.5+ setting), for both sides or each (default public). */
  liveFeeds?: LiveFeedAccess | { local: LiveFeedAccess; remote: LiveFeedAccess };
  /** Lifetime of cached anonymous timeline pages (default 15). */
  cacheSeconds?: number;
  /** Per IP (anonymous) or per token (default 300 / 5 min). */
  rateLimit?: RateLimitRule;
  /** Extra limit on anonymous paging requests (min_id/max_id/since_id; default 300 / 15 min). */
  pagingRateLimit?: RateLimitRule;
  heartbeatMs?: number;
  /** WebSocket ping interval (default 30 s, as the real server). */
  wsPingMs?: number;
  /** `:thump\n\n` (4.6) or `:thump\n` (4.2–4.5, the comment then shares a block with the next event). */
  heartbeatStyle?: '4.6' | '4.2';
  instanceApi?: 'v2' | 'v1-only';
  /** NodeInfo's `software` (default mastodon 4.6.6); null serves no NodeInfo at all. */
  software?: NodeInfoSoftware | null;
  /** The instance API's `version` (default: the software's; Akkoma says `2.7.2 (compatible; Akkoma 3.15.1)`). */
  instanceVersion?: string;
  seed?: number;
  /** Accounts in the generated population (default 150 000). */
  users?: number;
  /** Status ids as Mastodon (default), Akkoma (`flake`) or GoToSocial (`ulid`) make them (ids.ts). */
  ids?: IdKind;
  /** CORS on the NodeInfo document too (Mastodon's rack-cors leaves it out; GoToSocial's CORS covers every route). */
  nodeInfoCors?: boolean;
  /** Whose WebSocket rules apply: auth, anonymous sockets, answers to subscribes (ws-flavours.ts). */
  wsFlavour?: WsFlavour;
}

export interface PublishOptions {
  /** Force an author from this instance (true) or another one (false). */
  local?: boolean;
  /** Push to open streams (default true). false = only in the REST timeline: a "missed" event. */
  stream?: boolean;
}

export interface FaultOptions {
  /** Streams stay open but receive nothing, not even heartbeats; events meanwhile are lost. */
  stallStreams?: boolean;
  /**
   * The next `count` GET /api/v1/timelines/public answer `status` (after letting `after` through).
   * A 429 carries Rack::Attack's headers: `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset`,
   * `resetInMs` ahead when given, else at the end of the current throttle window.
   */
  failNextTimelineRequests?: TimelineFault;
  /** The next `count` stream requests (after the channel check) answer `status`. */
  failNextStreamRequests?: { count: number; status: number };
  /** Stream requests answer 302 to this origin (e.g. another loopback server); null turns it off. */
  redirectStreamsTo?: string | null;
  /** GET /api/v1/timelines/public answers 302 to this origin; null turns it off. */
  redirectTimelineTo?: string | null;
  /** The next `count` timeline requests get a hostile answer (silence, a stalled body, 100 MB). */
  hostileTimeline?: { count: number; answer: HostileAnswer };
  /** The next `count` GET /api/v2/instance requests get a hostile answer. */
  hostileInstance?: { count: number; answer: HostileAnswer };
  /**
   * Percent (0–100; 0 ends it) of `update` and `status.update` events each open stream silently
   * loses, as the real server does when its database pool is exhausted: the status stays in the
   * REST timeline, deletes and heartbeats still flow. Drawn from the fake's seed.
   */
  dropStreamEventsPercent?: number;
}

export interface FakeMastodonStats {
  /** Requests per path, both hosts. */
  requests: Record<string, number>;
  /** SSE streams and WebSockets. */
  openStreams: number;
  streamsOpened: number;
  webSocketsOpened: number;
  /** WebSocket upgrades refused (no or a bad token). */
  webSocketsRefused: number;
  /** How each WebSocket upgrade carried its token: `protocol` (Sec-WebSocket-Protocol), `query`, `authorization`, `none`. */
  webSocketTokenVia: string[];
  tooManyRequests: number;
  cacheHits: number;
  /** Events written to open streams (counted once per stream), raw writes excluded. */
  streamEvents: number;
  /** Events `dropStreamEventsPercent` kept from open streams (counted once per stream). */
  streamEventsDropped: number;
  /** Forced timeline failures served, with the request each answered. */
  faultsServed: Array<{ at: number; status: number; url: string }>;
  /** Hostile answers begun (`hostileInstance`, `hostileTimeline`): a stalled one is still open. */
  hostileServed: number;
}

export interface FakeMastodon {
  /** `http://127.0.0.1:PORT`, no trailing slash: the instance's base URL as a browser sees it. */
  webUrl: string;
  /** `http://127.0.0.1:PORT` of the streaming host (the instance API reports it as `ws://`). */
  streamingUrl: string;
  domain: string;
  /**
   * Generates a status (local ones carry `application`), applies `overrides` (never the id: it is
   * this instance's next snowflake), adds it to the timeline and pushes `update` to matching streams.
   */
  publish(overrides?: Partial<MastodonStatus>, opts?: PublishOptions): MastodonStatus;
  /**
   * Generates and serialises `count` statuses now, so the next plain `publish()` calls (no
   * overrides, no options) only store and send them: a test process cannot generate 10,000
   * statuses a second beside a browser on two cores. Their ids and dates are from now, so publish
   * nothing else on this instance until they are out (ids would go backwards).
   */
  prepare(count: number): void;
  /** `other` (from another fake) federated here: same uri/url/created_at, new id, qualified acct, no application. */
  publishFrom(other: MastodonStatus, opts?: Omit<PublishOptions, 'local'>): MastodonStatus;
  /** A new version of a published status (`edited_at` set), pushed as `status.update`. */
  edit(id: string, overrides?: Partial<MastodonStatus>): MastodonStatus;
  /** Removes the status and pushes `delete` with the bare id (to every stream if the id is unknown). */
  deleteStatus(id: string): void;
  /** Sends a text frame as it is to every open WebSocket (malformed-frame tests). */
  sendRawFrame(text: string): void;
  /** Writes bytes as they are to every open stream (malformed-event tests). */
  sendRaw(text: string): void;
  /** Starts one event on every open stream that never ends: `prefix`, then `bytes` of `x`, no newline. */
  sendEndless(prefix: string, bytes: number): Promise<number[]>;
  /** Destroys every open stream socket, as a network failure would; returns how many it dropped. */
  dropStreams(): number;
  setFault(fault: FaultOptions): void;
  /** Adds a token at run time (scope `read` unless given). */
  addToken(token: string, opts?: { scopes?: string[]; appOnly?: boolean }): void;
  revokeToken(token: string): void;
  groundTruth(): { published: MastodonStatus[]; deleted: string[] };
  /** The statuses that were published and later deleted (their last version), in deletion order. */
  deletedStatuses(): MastodonStatus[];
  readonly stats: FakeMastodonStats;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}

export async function startFakeMastodon(opts: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const domain = opts.domain ?? 'alpha.test';
  const feeds = opts.liveFeeds ?? 'public';
  const software = opts.software === undefined ? { name: 'mastodon', version: '4.6.6' } : opts.software;
  const access = typeof feeds === 'string' ? { local: feeds, remote: feeds } : feeds;
  const tokens = new TokenRegistry();
  for (const t of opts.tokens ?? []) tokens.add(t);
  for (const t of opts.appOnlyTokens ?? []) tokens.add(t, { appOnly: true });
  for (const t of opts.wrongScopeTokens ?? []) tokens.add(t, { scopes: ['write'] });

  const gen = new StatusGenerator({ seed: opts.seed ?? 1, collectedFrom: `https://${domain}`, users: opts.users ?? 150_000 });
  const store = new TimelineStore();
  /** Every uri this instance has held: Mastodon keeps one status per uri. */
  const uris = new Set<string>();
  const requests: Record<string, number> = {};
  const countRequest = (path: string) => {
    requests[path] = (requests[path] ?? 0) + 1;
  };

  const streaming = new StreamingHost({
    tokens,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    heartbeatStyle: opts.heartbeatStyle ?? '4.6',
    feedAccess: () => access,
    countRequest,
    seed: opts.seed ?? 1,
  });
  // Mastodon serves both on one port: HTTP requests are SSE, upgrades are WebSockets.
  const wsStreaming = new WsStreaming(streaming.server, {
    tokens,
    matches: (filter, status) => streaming.matches(filter, status),
    isStalled: () => streaming.stalled,
    ...(opts.wsPingMs ? { pingMs: opts.wsPingMs } : {}),
    ...(opts.wsFlavour ? { flavour: opts.wsFlavour } : {}),
  });
  const streamPort = await listen(streaming.server);
  const web = new WebHost({
    tokens,
    oauth: new OAuthProvider(tokens),
    store,
    instance: () => ({
      domain,
      title: `${domain} (fake Mastodon)`,
      version: opts.instanceVersion ?? (software?.version || '4.6.6'),
      streamingWs: `ws://127.0.0.1:${streamPort}`,
      access,
      users: opts.users ?? 150_000,
      statuses: store.size,
    }),
    instanceApi: opts.instanceApi ?? 'v2',
    nodeInfo: () => (software ? { software, users: opts.users ?? 150_000, localPosts: store.size, corsOnDocument: opts.nodeInfoCors === true } : null),
    cacheSeconds: opts.cacheSeconds ?? 15,
    rateLimit: opts.rateLimit ?? { limit: 300, windowMs: 5 * 60_000 },
    pagingRateLimit: opts.pagingRateLimit ?? { limit: 300, windowMs: 15 * 60_000 },
    countRequest,
  });
  const webPort = await listen(web.server);

  const idKind = opts.ids ?? 'snowflake';
  const deliver = (event: 'update' | 'status.update', s: MastodonStatus, stream = true, payload?: string) => {
    if (!stream) return;
    const data = payload ?? spliceRaw(statusPayload(s));
    streaming.broadcast(event, data, s);
    wsStreaming.broadcast(event, data, s);
  };
  const generate = (p: PublishOptions): MastodonStatus => {
    let generated = gen.next(Date.now(), p.local === undefined ? {} : { local: p.local });
    // The generator derives a remote post's uri from its origin millisecond, so the same author
    // can get one uri twice in a burst; a real server would hold one status for it. Draw again.
    for (let i = 0; uris.has(generated.uri) && i < 100; i++) {
      gen.forget(generated.id);
      generated = gen.next(Date.now(), p.local === undefined ? {} : { local: p.local });
    }
    return idKind === 'snowflake' ? generated : { ...generated, id: idOfKind(idKind, generated.id) };
  };
  /** Statuses `prepare` made, with their stream payloads, taken by the next plain publishes. */
  let prepared: Array<{ status: MastodonStatus; payload: string }> = [];
  let nextPrepared = 0;

  const fake: FakeMastodon = {
    webUrl: `http://127.0.0.1:${webPort}`,
    streamingUrl: `http://127.0.0.1:${streamPort}`,
    domain,

    prepare(count) {
      if (prepared.length) throw new Error('fake-mastodon: publish what was prepared first');
      const reserved = new Set<string>();
      for (let i = 0; i < count; i++) {
        let status = generate({});
        for (let j = 0; reserved.has(status.uri) && j < 100; j++) status = generate({});
        reserved.add(status.uri);
        prepared.push({ status, payload: spliceRaw(statusPayload(status)) });
      }
    },

    publish(overrides = {}, p = {}) {
      const plain = !Object.keys(overrides).length && !Object.keys(p).length;
      const ready = plain ? prepared[nextPrepared++] : undefined;
      if (nextPrepared >= prepared.length) {
        prepared = [];
        nextPrepared = 0;
      }
      if (ready && !uris.has(ready.status.uri)) {
        uris.add(ready.status.uri);
        store.add(ready.status);
        deliver('update', ready.status, true, ready.payload);
        return ready.status;
      }
      const generated = generate(p);
      const status = { ...generated, ...overrides, id: generated.id } as MastodonStatus;
      if (uris.has(status.uri)) throw new Error(`fake-mastodon: ${domain} already holds ${status.uri}`);
      uris.add(status.uri);
      store.add(status);
      deliver('update', status, p.stream ?? true);
      return status;
    },

    publishFrom(other, p = {}) {
      if (uris.has(other.uri)) throw new Error(`fake-mastodon: ${domain} already holds ${other.uri}`);
      uris.add(other.uri);
      const copy = structuredClone(other) as MastodonStatus;
      delete copy.filtered;
      delete copy.filter_results;
      // Only the author's own server knows the client; a federated copy has no `application` key.
      delete copy.application;
      const originHost = new URL(other.account.url || other.uri).host;
      const acct = other.account.acct.includes('@') ? other.account.acct : `${other.account.username}@${originHost}`;
      const status: MastodonStatus = {
        ...copy,
        id: idOfKind(idKind, gen.nextId(Date.now())),
        account: { ...copy.account, acct, id: String(100_000 + (hash32(domain, acct) % 9_000_000)) },
        tags: copy.tags.map((t) => ({ name: t.name, url: `https://${domain}/tags/${encodeURIComponent(t.name)}` })),
      };
      store.add(status);
      deliver('update', status, p.stream ?? true);
      return status;
    },

    edit(id, overrides = {}) {
      const current = store.get(id);
      if (!current) throw new Error(`fake-mastodon: no status ${id} to edit`);
      const edited = { ...gen.edit(current, Date.now()), ...overrides, id } as MastodonStatus;
      store.replace(edited);
      deliver('status.update', edited);
      return edited;
    },

    deleteStatus(id) {
      const removed = store.remove(id);
      gen.forget(id);
      // Unknown ids still go out on every stream: that is how a test makes a delete arrive first.
      streaming.broadcast('delete', id, removed ?? null);
      wsStreaming.broadcast('delete', id, removed ?? null);
    },

    sendRaw: (text) => streaming.sendRaw(text),
    sendEndless: (prefix, bytes) => streaming.sendEndless(prefix, bytes),
    dropStreams: () => streaming.dropAll() + wsStreaming.dropAll(),
    sendRawFrame: (text) => wsStreaming.sendRaw(text),

    setFault(fault) {
      if (fault.stallStreams !== undefined) streaming.stalled = fault.stallStreams;
      if (fault.failNextTimelineRequests) web.failNextTimeline = { ...fault.failNextTimelineRequests };
      if (fault.failNextStreamRequests) streaming.failNext = { ...fault.failNextStreamRequests };
      if (fault.redirectStreamsTo !== undefined) streaming.redirectTo = fault.redirectStreamsTo;
      if (fault.redirectTimelineTo !== undefined) web.redirectTimelineTo = fault.redirectTimelineTo;
      if (fault.hostileTimeline) web.hostileTimeline = { ...fault.hostileTimeline };
      if (fault.hostileInstance) web.hostileInstance = { ...fault.hostileInstance };
      if (fault.dropStreamEventsPercent !== undefined) {
        const pct = fault.dropStreamEventsPercent;
        if (!(pct >= 0 && pct <= 100)) throw new Error(`fake-mastodon: dropStreamEventsPercent ${pct} is not within 0–100`);
        streaming.dropPercent = pct;
      }
    },

    addToken(token, o = {}) {
      tokens.add(token, o);
    },
    revokeToken(token) {
      tokens.revoke(token);
    },

    groundTruth: () => store.snapshot(),
    deletedStatuses: () => store.removedStatuses(),

    get stats(): FakeMastodonStats {
      return {
        requests: { ...requests },
        openStreams: streaming.streams.size + wsStreaming.sessions.size,
        streamsOpened: streaming.opened + wsStreaming.opened,
        webSocketsOpened: wsStreaming.opened,
        webSocketsRefused: wsStreaming.refused.length,
        webSocketTokenVia: [...wsStreaming.tokenVia],
        tooManyRequests: web.tooManyRequests,
        cacheHits: web.cacheHits,
        streamEvents: streaming.eventsWritten + wsStreaming.eventsWritten,
        streamEventsDropped: streaming.eventsDropped,
        faultsServed: [...web.faultsServed],
        hostileServed: web.hostileServed,
      };
    },

    async close() {
      await wsStreaming.close();
      await streaming.close();
      await new Promise<void>((resolve) => {
        web.server.close(() => resolve());
        web.server.closeAllConnections();
      });
    },
  };
  return fake;
}
