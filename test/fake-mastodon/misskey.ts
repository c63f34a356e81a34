/**
 * Just enough of a Misskey server to be recognised and refused: NodeInfo as Misskey serves it
 * (links to 2.1 and 2.0, CORS on both, `software.name` `misskey`), its API answering an unknown
 * endpoint (`/api/v2/instance`, `/api/v1/instance`) with 404 and its error object, and the web app's
 * HTML on every other path. Misskey's own API and streaming are not modelled yet.
 */

import { createServer } from 'node:http';
import { listenLocal, sendJson, sendText } from './http-util';
import { handleNodeInfo } from './nodeinfo';

export interface FakeMisskey {
  url: string;
  requests: Record<string, number>;
  close(): Promise<void>;
}

const UNKNOWN_ENDPOINT = {
  error: { message: 'Unknown API endpoint.', code: 'UNKNOWN_API_ENDPOINT', id: '2ca3b769-540a-4f08-9dd5-b5a825b6d0f1', kind: 'client' },
};

export async function startFakeMisskey(opts: { name?: string; version?: string } = {}): Promise<FakeMisskey> {
  const requests: Record<string, number> = {};
  const software = { name: opts.name ?? 'misskey', version: opts.version ?? '2025.4.0' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (handleNodeInfo(req, res, path, `http://${req.headers.host}`, { software, users: 1200, localPosts: 50_000, corsOnDocument: true, schemas: ['2.1', '2.0'] }, cors)) return;
    if (path.startsWith('/api/')) return sendJson(res, 404, UNKNOWN_ENDPOINT, cors);
    sendText(res, 200, '<!DOCTYPE html><html><head><title>Misskey</title></head><body><noscript>JavaScript required</noscript></body></html>', 'text/html; charset=utf-8');
  });
  return { ...(await listenLocal(server)), requests };
}
