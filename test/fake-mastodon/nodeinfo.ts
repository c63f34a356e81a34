/**
 * NodeInfo as Mastodon serves it (WellKnown::NodeInfoController, NodeInfo::Serializer): the index
 * at `/.well-known/nodeinfo` links schema 2.0 at `/nodeinfo/2.0`; the document has camelCase keys.
 * Mastodon's rack-cors rules cover `/.well-known/*` and `/api/*` but not `/nodeinfo/*`, so a
 * browser may read the index and not the document: the fake sends no CORS header there either.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, type Headers } from './http-util';

export interface NodeInfoSoftware {
  name: string;
  version: string;
}

export interface NodeInfoOptions {
  software: NodeInfoSoftware;
  users: number;
  localPosts: number;
  /** CORS on the 2.0 document too (a proxy adding it, or Misskey's own server). */
  corsOnDocument?: boolean;
  /** Schema version linked and served (Mastodon: 2.0; Misskey links 2.1 and 2.0). */
  schemas?: string[];
}

const REL = 'http://nodeinfo.diaspora.software/ns/schema/';

export function nodeInfoDocument(o: NodeInfoOptions, schema: string): unknown {
  return {
    version: schema,
    software: { name: o.software.name, version: o.software.version },
    protocols: ['activitypub'],
    services: { outbound: [], inbound: [] },
    usage: { users: { total: o.users, activeMonth: Math.floor(o.users / 10), activeHalfyear: Math.floor(o.users / 4) }, localPosts: o.localPosts },
    openRegistrations: false,
    metadata: {},
  };
}

/** Answers the NodeInfo paths; false for any other request. `base` is the origin the client used. */
export function handleNodeInfo(req: IncomingMessage, res: ServerResponse, path: string, base: string, o: NodeInfoOptions, cors: Headers): boolean {
  if (req.method !== 'GET') return false;
  const schemas = o.schemas ?? ['2.0'];
  if (path === '/.well-known/nodeinfo') {
    sendJson(res, 200, { links: schemas.map((v) => ({ rel: `${REL}${v}`, href: `${base}/nodeinfo/${v}` })) }, { ...cors, Vary: 'Accept' });
    return true;
  }
  const m = /^\/nodeinfo\/(2\.\d)$/.exec(path);
  const schema = m?.[1];
  if (schema && schemas.includes(schema)) {
    sendJson(res, 200, nodeInfoDocument(o, schema), o.corsOnDocument ? cors : {});
    return true;
  }
  return false;
}
