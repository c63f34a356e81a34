/**
 * Which software a server runs, from NodeInfo (`/.well-known/nodeinfo` → the 2.x document). Only
 * `software.name` and `version` are read: the rest (usage, metadata) differs by server and is not
 * needed to pick a reader.
 */
import { guardedFetch } from './http-guard';

export interface Software {
  /** NodeInfo's lower-case name: `mastodon`, `akkoma`, `gotosocial`, `misskey`… */
  name: string;
  version: string;
}

/** Both documents are a few hundred bytes on every server seen; 256 KiB is far beyond that. */
export const MAX_NODEINFO_BYTES = 256 * 1024;

/**
 * Misskey and its forks answer NodeInfo but have their own API (notes, one `/streaming` socket):
 * read by src/sources/misskey-source.ts, not by the Mastodon readers.
 */
const MISSKEY_FAMILY = new Set(['misskey', 'sharkey', 'iceshrimp', 'firefish', 'calckey', 'foundkey', 'cherrypick', 'catodon', 'meisskey']);

/** Mastodon-API servers that stream over WebSocket only (`/api/v1/streaming`, no SSE). */
const WEBSOCKET_ONLY = new Set(['akkoma', 'pleroma', 'gotosocial']);

const DISPLAY: Record<string, string> = {
  mastodon: 'Mastodon',
  akkoma: 'Akkoma',
  pleroma: 'Pleroma',
  gotosocial: 'GoToSocial',
  misskey: 'Misskey',
  sharkey: 'Sharkey',
  iceshrimp: 'Iceshrimp',
  firefish: 'Firefish',
  calckey: 'Calckey',
  foundkey: 'FoundKey',
  cherrypick: 'CherryPick',
  catodon: 'Catodon',
  hometown: 'Hometown',
  glitchsoc: 'glitch-soc',
};

export const isMisskeyFamily = (s: Software | undefined) => !!s && MISSKEY_FAMILY.has(s.name);
export const streamsOnlyOverWebSocket = (s: Software | undefined) => !!s && WEBSOCKET_ONLY.has(s.name);
/**
 * Akkoma and Pleroma stream every public timeline to a socket without a token
 * (docs/FEDIVERSE-STREAMING.md); GoToSocial refuses one, and Mastodon since 4.2 too.
 */
export const streamsAnonymously = (s: Software | undefined) => !!s && (s.name === 'akkoma' || s.name === 'pleroma');

/** "Mastodon 4.5.2", "Akkoma 3.15.1"; a name Tootscope does not know is shown as the server gives it. */
export function softwareLabel(s: Software): string {
  const name = DISPLAY[s.name] ?? s.name;
  return s.version ? `${name} ${s.version}` : name;
}

/** Version strings can carry build metadata (`4.5.2+glitch`, `3.15.1-0-gabc`); keep them short on the row. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, max);
}

/** NodeInfo schema rels, e.g. `http://nodeinfo.diaspora.software/ns/schema/2.1`: the highest 2.x wins. */
const REL = /^https?:\/\/nodeinfo\.diaspora\.software\/ns\/schema\/(2\.\d+)$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

async function getJson(url: string, signal: AbortSignal | undefined): Promise<{ status: number; body: unknown }> {
  const got = await guardedFetch(url, { signal, headers: { Accept: 'application/json' } }, { maxBytes: MAX_NODEINFO_BYTES, what: 'its NodeInfo' });
  if (!got.res.ok) {
    got.done();
    await got.res.body?.cancel().catch(() => {});
    return { status: got.res.status, body: null };
  }
  return { status: got.res.status, body: await got.json() };
}

/**
 * The server's software, or null when it has no readable NodeInfo (none, not JSON, no 2.x link,
 * a link to another origin, a browser not allowed to read it): such a server is then judged by its
 * Mastodon instance API, as before NodeInfo. A server that does not answer, floods, or redirects
 * elsewhere also gives null: the instance API requests meet the same guard and say so on the row.
 */
export async function detectSoftware(baseUrl: string, signal?: AbortSignal): Promise<Software | null> {
  const origin = new URL(baseUrl).origin;
  try {
    const index = await getJson(`${baseUrl}/.well-known/nodeinfo`, signal);
    if (!isObj(index.body) || !Array.isArray(index.body.links)) return null;
    let best: { version: number; href: string } | null = null;
    for (const link of index.body.links) {
      if (!isObj(link) || typeof link.rel !== 'string' || typeof link.href !== 'string') continue;
      const m = REL.exec(link.rel);
      if (!m) continue;
      let href: URL;
      try {
        href = new URL(link.href, baseUrl);
      } catch {
        continue;
      }
      // Only the instance itself is read: a document elsewhere would describe another server.
      if (href.origin !== origin) continue;
      const version = Number(m[1]);
      if (!best || version > best.version) best = { version, href: href.href };
    }
    if (!best) return null;
    const doc = await getJson(best.href, signal);
    if (!isObj(doc.body) || !isObj(doc.body.software)) return null;
    const { name, version } = doc.body.software;
    if (typeof name !== 'string' || !name.trim()) return null;
    return { name: clean(name, 40).toLowerCase(), version: typeof version === 'string' ? clean(version, 40) : '' };
  } catch (err) {
    if (signal?.aborted) throw err;
    return null;
  }
}

/**
 * Without NodeInfo (or where the browser may not read it: Mastodon's CORS rules cover
 * `/.well-known/*` but not `/nodeinfo/2.0`), the instance API's `version` still tells:
 * Pleroma and Akkoma answer `2.7.2 (compatible; Akkoma 3.15.1)`, Mastodon its own version.
 */
export function softwareFromInstanceVersion(version: string): Software {
  const m = /\(compatible;\s*([A-Za-z][\w.-]*)\s+([^)\s]+)\s*\)/.exec(version);
  if (m?.[1] && m[2]) return { name: clean(m[1], 40).toLowerCase(), version: clean(m[2], 40) };
  return { name: 'mastodon', version: clean(version, 40) };
}
