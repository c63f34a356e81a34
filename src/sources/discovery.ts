import { normalizeBaseUrl } from '../core/normalize';
import { guardedFetch, MAX_INSTANCE_BYTES, NoAnswerError, RedirectRefusedError, TooLargeError } from './http-guard';
import { detectSoftware, isMisskeyFamily, softwareFromInstanceVersion, type Software } from './nodeinfo';

export type FeedAccess = 'public' | 'authenticated' | 'disabled';

export interface InstanceInfo {
  baseUrl: string;
  /** `https://streaming.host` (the `wss://` URL Mastodon announces, as HTTP for SSE). */
  streamingBase: string;
  title: string;
  version: string;
  liveFeeds?: { local: FeedAccess; remote: FeedAccess };
  /** From NodeInfo, else from the instance API's version string. */
  software?: Software;
  /**
   * The instance's own domain (v2 `domain`, v1 `uri`): its local accounts' and, on a server whose
   * accounts are named under another domain than its pages (Mastodon's LOCAL_DOMAIN and
   * WEB_DOMAIN), not the host people type. Absent when the server does not say one plainly.
   */
  domain?: string;
}

const DOMAIN = /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i;
const domainOf = (v: unknown): { domain?: string } => (typeof v === 'string' && DOMAIN.test(v) ? { domain: v.toLowerCase() } : {});

export class DiscoveryError extends Error {}

/** `mastodon.social`, `https://fosstodon.org/`, `http://127.0.0.1:8080` → a base URL, or a clear error. */
export function parseInstanceUrl(input: string): string {
  const text = input.trim();
  if (!text) throw new DiscoveryError('Enter an instance URL, such as mastodon.social');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DiscoveryError(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DiscoveryError(`"${text}" is not an http(s) URL`);
  if (!url.hostname.includes('.') && url.hostname !== 'localhost') throw new DiscoveryError(`"${text}" is not a host name`);
  if (url.username || url.password) throw new DiscoveryError('Leave user names and passwords out of the URL');
  return normalizeBaseUrl(url.href);
}

/**
 * ws(s)://host[/path] → http(s)://host[/path] without a trailing slash. The token will go there, so
 * it must be a plain ws(s) (or http(s)) URL, and an https instance may not send it unencrypted.
 */
function streamingHttpBase(ws: string, baseUrl: string): string {
  let u: URL;
  try {
    u = new URL(ws.replace(/^ws(s?):/i, 'http$1:'));
  } catch {
    throw new DiscoveryError(`${new URL(baseUrl).host} announces a streaming URL that is not a URL`);
  }
  const host = new URL(baseUrl).host;
  if (!/^(wss?|https?):/i.test(ws) || u.username || u.password || u.search || u.hash) {
    throw new DiscoveryError(`${host} announces an unusable streaming URL (${ws.slice(0, 80)})`);
  }
  if (new URL(baseUrl).protocol === 'https:' && u.protocol !== 'https:') {
    throw new DiscoveryError(`${host} announces an unencrypted streaming URL (${u.host}); refused`);
  }
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * No token goes along, so a redirect may be followed, but only within the instance's origin: a
 * document from elsewhere would name another server's streaming host, and the token would go there.
 */
async function getJson(url: string, signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
  try {
    const got = await guardedFetch(url, { signal, headers: { Accept: 'application/json' } }, { maxBytes: MAX_INSTANCE_BYTES, what: 'its instance description' });
    let body: unknown = null;
    try {
      body = await got.json();
    } catch (err) {
      if (err instanceof NoAnswerError || err instanceof TooLargeError || signal?.aborted) throw err;
      body = null;
    }
    return { status: got.res.status, body };
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof NoAnswerError || err instanceof RedirectRefusedError || err instanceof TooLargeError) throw err;
    throw new DiscoveryError(`cannot reach ${new URL(url).host} (offline, wrong host, or it does not allow browsers to read it)`);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** PROTOCOL.md § Discovery: v2 first, v1 for older servers; anything else is not Mastodon. */
export async function discoverInstance(input: string, signal?: AbortSignal): Promise<InstanceInfo> {
  const baseUrl = parseInstanceUrl(input);
  const host = new URL(baseUrl).host;
  // Side by side: NodeInfo adds no wait before the instance description.
  const [nodeInfo, v2] = await Promise.all([detectSoftware(baseUrl, signal), getJson(`${baseUrl}/api/v2/instance`, signal)]);
  if (nodeInfo && isMisskeyFamily(nodeInfo)) {
    // Misskey's own API (src/sources/misskey-source.ts): one socket at `/streaming` on the instance itself.
    return { baseUrl, streamingBase: baseUrl, title: host, version: nodeInfo.version, software: nodeInfo };
  }
  const software = (version: unknown) => nodeInfo ?? softwareFromInstanceVersion(str(version) ?? '');
  if (v2.status === 200 && isObj(v2.body)) {
    const conf = isObj(v2.body.configuration) ? v2.body.configuration : {};
    const urls = isObj(conf.urls) ? conf.urls : {};
    const streaming = str(urls.streaming);
    if (streaming) {
      const access = isObj(conf.timelines_access) && isObj(conf.timelines_access.live_feeds) ? conf.timelines_access.live_feeds : null;
      return {
        baseUrl,
        streamingBase: streamingHttpBase(streaming, baseUrl),
        title: str(v2.body.title) ?? host,
        version: str(v2.body.version) ?? '',
        software: software(v2.body.version),
        ...domainOf(v2.body.domain),
        ...(access ? { liveFeeds: { local: access.local as FeedAccess, remote: access.remote as FeedAccess } } : {}),
      };
    }
  }
  const v1 = await getJson(`${baseUrl}/api/v1/instance`, signal);
  if (v1.status === 200 && isObj(v1.body) && isObj(v1.body.urls) && str(v1.body.urls.streaming_api)) {
    return {
      baseUrl,
      streamingBase: streamingHttpBase(str(v1.body.urls.streaming_api)!, baseUrl),
      title: str(v1.body.title) ?? host,
      version: str(v1.body.version) ?? '',
      software: software(v1.body.version),
      ...domainOf(v1.body.uri),
    };
  }
  if (v2.status === 401 || v1.status === 401) {
    throw new DiscoveryError(`${host} requires sign-in even to describe itself (401)`);
  }
  throw new DiscoveryError(`${host} is not a Mastodon server: /api/v2/instance and /api/v1/instance gave no instance description`);
}
