import { normalizeBaseUrl } from '../core/normalize';

export type FeedAccess = 'public' | 'authenticated' | 'disabled';

export interface InstanceInfo {
  baseUrl: string;
  /** `https://streaming.host` (the `wss://` URL Mastodon announces, as HTTP for SSE). */
  streamingBase: string;
  title: string;
  version: string;
  liveFeeds?: { local: FeedAccess; remote: FeedAccess };
}

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

/** ws(s)://host[/path] → http(s)://host[/path] without a trailing slash. */
function streamingHttpBase(ws: string): string {
  const u = new URL(ws.replace(/^ws(s?):/i, 'http$1:'));
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

async function getJson(url: string, signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new DiscoveryError(`cannot reach ${new URL(url).host} (offline, wrong host, or it does not allow browsers to read it)`);
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** PROTOCOL.md § Discovery: v2 first, v1 for older servers; anything else is not Mastodon. */
export async function discoverInstance(input: string, signal?: AbortSignal): Promise<InstanceInfo> {
  const baseUrl = parseInstanceUrl(input);
  const host = new URL(baseUrl).host;
  const v2 = await getJson(`${baseUrl}/api/v2/instance`, signal);
  if (v2.status === 200 && isObj(v2.body)) {
    const conf = isObj(v2.body.configuration) ? v2.body.configuration : {};
    const urls = isObj(conf.urls) ? conf.urls : {};
    const streaming = str(urls.streaming);
    if (streaming) {
      const access = isObj(conf.timelines_access) && isObj(conf.timelines_access.live_feeds) ? conf.timelines_access.live_feeds : null;
      return {
        baseUrl,
        streamingBase: streamingHttpBase(streaming),
        title: str(v2.body.title) ?? host,
        version: str(v2.body.version) ?? '',
        ...(access ? { liveFeeds: { local: access.local as FeedAccess, remote: access.remote as FeedAccess } } : {}),
      };
    }
  }
  const v1 = await getJson(`${baseUrl}/api/v1/instance`, signal);
  if (v1.status === 200 && isObj(v1.body) && isObj(v1.body.urls) && str(v1.body.urls.streaming_api)) {
    return {
      baseUrl,
      streamingBase: streamingHttpBase(str(v1.body.urls.streaming_api)!),
      title: str(v1.body.title) ?? host,
      version: str(v1.body.version) ?? '',
    };
  }
  if (v2.status === 401 || v1.status === 401) {
    throw new DiscoveryError(`${host} requires sign-in even to describe itself (401)`);
  }
  throw new DiscoveryError(`${host} is not a Mastodon server: /api/v2/instance and /api/v1/instance gave no instance description`);
}
