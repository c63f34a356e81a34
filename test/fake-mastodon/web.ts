/**
 * The web/API host: instance discovery, the public timeline with Mastodon's paging, auth rules,
 * caching and rate limits, OAuth, and rack-cors headers on every response. Anything the client
 * could come to rely on but the real server does not do is deliberately absent.
 */

import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MastodonStatus } from '../../src/core/mastodon';
import { EXPOSE_HEADERS, accessToken, clientIp, railsTruthy, requestId, rubyToI, sendJson, type Headers } from './http-util';
import { answerHostile, type HostileAnswer } from './hostile';
import { instanceV1, instanceV2, type InstanceInfo } from './instance';
import { handleNodeInfo, type NodeInfoOptions } from './nodeinfo';
import { spliceRaw } from './raw-json';
import type { OAuthProvider } from './oauth';
import { FixedWindowThrottle, iso8601Micro, rateLimitHeaders, type RateLimitRule, type ThrottleState } from './rate-limit';
import type { LiveFeedAccess } from './streaming';
import { hasMedia, isLocalStatus, normalizeTag, type TimelineStore } from './timeline';
import { canReadStatuses, type TokenRecord, type TokenRegistry } from './tokens';

export interface WebHostOptions {
  tokens: TokenRegistry;
  oauth: OAuthProvider;
  store: TimelineStore;
  instance: () => InstanceInfo;
  instanceApi: 'v2' | 'v1-only';
  /** null: no NodeInfo (404), as a server too old or too minimal to have it. */
  nodeInfo: () => NodeInfoOptions | null;
  cacheSeconds: number;
  rateLimit: RateLimitRule;
  pagingRateLimit: RateLimitRule;
  countRequest: (path: string) => void;
}

interface CachedResponse {
  status: number;
  headers: Headers;
  body: string;
  storedAt: number;
}

/** Parameters Mastodon copies into the Link URLs (PublicController::PERMITTED_PARAMS). */
const PERMITTED = ['local', 'remote', 'limit', 'only_media'];
const DEFAULT_LIMIT = 20;

/** A forced failure of the public timeline (see FaultOptions.failNextTimelineRequests). */
export interface TimelineFault {
  count: number;
  status: number;
  /** Let this many timeline requests through first (e.g. 1: the second page of a walk fails). */
  after?: number;
  /** For a 429: X-RateLimit-Reset this far ahead (default: the end of the current throttle window). */
  resetInMs?: number;
}

/** The next `count` requests get `answer` instead of the real one. */
export interface HostileFault {
  count: number;
  answer: HostileAnswer;
}

export class WebHost {
  readonly server: Server;
  failNextTimeline: TimelineFault | null = null;
  /** Timeline requests answer 302 to this origin, same path and query (null: off). */
  redirectTimelineTo: string | null = null;
  hostileTimeline: HostileFault | null = null;
  hostileInstance: HostileFault | null = null;
  /** Every forced failure served, with the request it answered. */
  readonly faultsServed: Array<{ at: number; status: number; url: string }> = [];
  /** Hostile answers (`hostileInstance`, `hostileTimeline`) begun. */
  hostileServed = 0;
  tooManyRequests = 0;
  cacheHits = 0;
  private readonly cache = new Map<string, CachedResponse>();
  private readonly throttle: FixedWindowThrottle;
  private readonly pagingThrottle: FixedWindowThrottle;

  constructor(private readonly opts: WebHostOptions) {
    const now = Date.now();
    this.throttle = new FixedWindowThrottle(opts.rateLimit, now);
    this.pagingThrottle = new FixedWindowThrottle(opts.pagingRateLimit, now);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String(err) }, { 'Access-Control-Allow-Origin': '*' });
        else res.destroy();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname;
    this.opts.countRequest(path);
    const isApi = path.startsWith('/api/');
    const corsPath = isApi || path === '/oauth/token' || path === '/oauth/revoke';
    const headers: Headers = { 'Access-Control-Allow-Origin': '*', 'X-Request-Id': requestId() };
    if (corsPath) headers['Access-Control-Expose-Headers'] = EXPOSE_HEADERS;

    if (req.method === 'OPTIONS') return this.preflight(req, res, path);
    const nodeInfo = this.opts.nodeInfo();
    if (nodeInfo && handleNodeInfo(req, res, path, `http://${req.headers.host ?? '127.0.0.1'}`, nodeInfo, headers)) return;

    const tokenString = accessToken(req, url);
    // The public timeline, or a hashtag's (`/api/v1/timelines/tag/:hashtag`, open like the public one here).
    const tagPath = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(path);
    const isTimeline = req.method === 'GET' && (path === '/api/v1/timelines/public' || tagPath !== null);
    // A cache in front of Rails answers anonymous repeats without Rails (or Rack::Attack) seeing them.
    if (isTimeline && !tokenString) {
      const hit = this.cache.get(req.url ?? '');
      if (hit && Date.now() - hit.storedAt < this.opts.cacheSeconds * 1000) {
        this.cacheHits++;
        res.writeHead(hit.status, { ...hit.headers, Age: String(Math.floor((Date.now() - hit.storedAt) / 1000)) });
        res.end(hit.body);
        return;
      }
    }

    if (isApi) {
      const token = this.opts.tokens.active(tokenString);
      const key = token ? `token:${token.id}` : `ip:${clientIp(req)}`;
      const now = Date.now();
      const states: ThrottleState[] = [this.throttle.hit(key, now)];
      const paging = ['min_id', 'max_id', 'since_id'].some((p) => url.searchParams.has(p));
      if (!token && paging) states.push(this.pagingThrottle.hit(key, now));
      const over = states.find((s) => s.count > s.limit);
      if (over) {
        this.tooManyRequests++;
        return sendJson(res, 429, { error: 'Too many requests' }, {
          ...headers,
          'X-RateLimit-Limit': String(over.limit),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': iso8601Micro(over.resetAt),
        });
      }
      Object.assign(headers, rateLimitHeaders(states));
    }

    if (await this.opts.oauth.handle(req, res, url, headers)) return;
    if (req.method === 'GET' && path === '/api/v2/instance' && this.opts.instanceApi === 'v2') {
      if (this.hostileInstance && this.hostileInstance.count > 0) {
        this.hostileInstance.count--;
        this.hostileServed++;
        return answerHostile(req, res, this.hostileInstance.answer, headers, JSON.stringify(instanceV2(this.opts.instance())), false);
      }
      return sendJson(res, 200, instanceV2(this.opts.instance()), { ...headers, 'Cache-Control': 'max-age=180, public' });
    }
    if (req.method === 'GET' && path === '/api/v1/instance') {
      return sendJson(res, 200, instanceV1(this.opts.instance()), { ...headers, 'Cache-Control': 'max-age=180, public' });
    }
    if (isTimeline) return this.timeline(req, res, url, tokenString, headers, tagPath ? normalizeTag(decodeURIComponent(tagPath[1]!)) : null);
    sendJson(res, 404, { error: 'Record not found' }, headers);
  }

  /** rack-cors with `headers: :any`: whatever request headers are asked for are allowed. */
  private preflight(req: IncomingMessage, res: ServerResponse, path: string): void {
    const asked = req.headers['access-control-request-headers'];
    const oauth = path === '/oauth/token' || path === '/oauth/revoke';
    res.writeHead(204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': oauth ? 'POST' : 'POST, PUT, DELETE, GET, PATCH, OPTIONS',
      'Access-Control-Allow-Headers': asked ?? 'Authorization, Content-Type',
      'Access-Control-Expose-Headers': EXPOSE_HEADERS,
      'Access-Control-Max-Age': '7200',
      Vary: 'Origin',
    });
    res.end();
  }

  private timeline(req: IncomingMessage, res: ServerResponse, url: URL, tokenString: string | undefined, headers: Headers, tag: string | null = null): void {
    if (this.redirectTimelineTo) {
      // What a hijacked or misconfigured proxy answers; rack-cors would still add its headers.
      res.writeHead(302, { ...headers, Location: `${this.redirectTimelineTo}${url.pathname}${url.search}`, 'Content-Length': '0' });
      return void res.end();
    }
    if (this.hostileTimeline && this.hostileTimeline.count > 0) {
      this.hostileTimeline.count--;
      this.hostileServed++;
      const sample = this.opts.store.page({ limit: 1 }, () => true)[0];
      return answerHostile(req, res, this.hostileTimeline.answer, headers, sample ? spliceRaw(JSON.stringify(sample)) : '{}', true);
    }
    const fault = this.failNextTimeline;
    if (fault && fault.count > 0) {
      if (fault.after && fault.after > 0) {
        fault.after--;
      } else {
        fault.count--;
        this.faultsServed.push({ at: Date.now(), status: fault.status, url: req.url ?? '' });
        if (fault.status === 429) {
          // What Rack::Attack answers: the throttle's headers with nothing left, and its body.
          this.tooManyRequests++;
          const reset = fault.resetInMs !== undefined ? iso8601Micro(Date.now() + fault.resetInMs) : headers['X-RateLimit-Reset'];
          return sendJson(res, 429, { error: 'Too many requests' }, {
            ...headers,
            'X-RateLimit-Limit': headers['X-RateLimit-Limit'] ?? String(this.opts.rateLimit.limit),
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': reset ?? iso8601Micro(Date.now() + this.opts.rateLimit.windowMs),
          });
        }
        return sendJson(res, fault.status, { error: STATUS_CODES[fault.status] ?? 'Error' }, headers);
      }
    }
    // Doorkeeper checks a given token before anything else (authorize_if_got_token!).
    let token: TokenRecord | undefined;
    if (tokenString) {
      token = this.opts.tokens.lookup(tokenString);
      if (!token) return sendJson(res, 401, { error: 'The access token is invalid' }, headers);
      if (token.revoked) return sendJson(res, 401, { error: 'The access token was revoked' }, headers);
      if (!canReadStatuses(token)) return sendJson(res, 403, { error: 'This action is outside the authorized scopes' }, headers);
    }
    const signedIn = token !== undefined && !token.appOnly;
    const q = url.searchParams;
    const local = railsTruthy(q.get('local'));
    const remote = railsTruthy(q.get('remote'));
    const access = this.opts.instance().access;
    const requireAuth = tag !== null ? false : local
      ? access.local !== 'public'
      : remote
        ? access.remote !== 'public'
        : access.local !== 'public' || access.remote !== 'public';
    if (requireAuth && !signedIn) return sendJson(res, 422, { error: 'This method requires an authenticated user' }, headers);

    // PublicFeed: a disabled side is left out; asking only for a disabled side gives [].
    const localOk = access.local !== 'disabled';
    const remoteOk = access.remote !== 'disabled';
    const localOnly = (local && !remote) || !remoteOk;
    const remoteOnly = (remote && !local) || !localOk;
    const onlyMedia = railsTruthy(q.get('only_media'));
    const include = (s: MastodonStatus) => {
      const isLocal = isLocalStatus(s);
      return !(localOnly && !isLocal) && !(remoteOnly && isLocal) && (!onlyMedia || hasMedia(s)) && (tag === null || s.tags.some((t) => normalizeTag(t.name) === tag));
    };
    const limit = q.has('limit') ? Math.min(Math.abs(rubyToI(q.get('limit'))), DEFAULT_LIMIT * 2) : DEFAULT_LIMIT;
    const page = (localOnly && remoteOnly) || (localOnly && !localOk) || (remoteOnly && !remoteOk)
      ? []
      : this.opts.store.page({ limit, maxId: q.get('max_id'), sinceId: q.get('since_id'), minId: q.get('min_id') }, include);

    const out: Headers = { ...headers, 'Cache-Control': signedIn ? 'private, no-store' : `max-age=${this.opts.cacheSeconds}, public` };
    if (page.length > 0) out.Link = linkHeader(url, (page[page.length - 1] as MastodonStatus).id, (page[0] as MastodonStatus).id);
    const body = spliceRaw(JSON.stringify(page));
    out['Content-Type'] = 'application/json; charset=utf-8';
    out['Content-Length'] = String(Buffer.byteLength(body));
    if (!tokenString) this.cache.set(req.url ?? '', { status: 200, headers: out, body, storedAt: Date.now() });
    res.writeHead(200, out);
    res.end(body);
  }
}

/**
 * `<…max_id=OLDEST>; rel="next", <…min_id=NEWEST>; rel="prev"` with absolute URLs; Rails'
 * `to_query` sorts the parameters by name.
 */
function linkHeader(url: URL, maxId: string, minId: string): string {
  const base = `${url.protocol}//${url.host}${url.pathname}`;
  const make = (core: [string, string]) => {
    const params: Array<[string, string]> = [];
    for (const k of PERMITTED) {
      const v = url.searchParams.get(k);
      if (v !== null) params.push([k, v]);
    }
    params.push(core);
    params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `${base}?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  };
  return `<${make(['max_id', maxId])}>; rel="next", <${make(['min_id', minId])}>; rel="prev"`;
}
