/**
 * Another origin a hostile or hijacked instance redirects to: it answers every stream request with
 * valid-looking `update` events and every timeline request with a page of valid statuses, with
 * CORS open and no token asked, so a client that follows the redirect would store its posts.
 */

import { createServer, type ServerResponse } from 'node:http';
import { StatusGenerator } from '../../src/core/demo/generator';
import { statusPayload } from '../../src/core/demo/stream';
import type { MastodonStatus } from '../../src/core/mastodon';
import { listenLocal } from './http-util';

export interface Elsewhere {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Every request: path, and whether an Authorization header came along. */
  readonly requests: Array<{ method: string; path: string; authorization: boolean }>;
  /** Every status it sent (stream or page). */
  readonly sent: MastodonStatus[];
  close(): Promise<void>;
}

export async function startElsewhere(opts: { domain?: string; seed?: number } = {}): Promise<Elsewhere> {
  const gen = new StatusGenerator({ seed: opts.seed ?? 99, collectedFrom: `https://${opts.domain ?? 'elsewhere.test'}`, users: 1000 });
  const requests: Elsewhere['requests'] = [];
  const sent: MastodonStatus[] = [];
  const streams = new Set<ServerResponse>();
  const fresh = () => {
    const s = gen.next(Date.now());
    sent.push(s);
    return s;
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://elsewhere.invalid');
    requests.push({ method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization !== undefined });
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*', 'Access-Control-Allow-Methods': 'GET' });
      return void res.end();
    }
    if (url.pathname.startsWith('/api/v1/streaming')) {
      res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream', 'Cache-Control': 'private, no-store' });
      res.write(':)\n');
      streams.add(res);
      const timer = setInterval(() => res.write(`event: update\ndata: ${statusPayload(fresh())}\n\n`), 100);
      res.on('close', () => {
        clearInterval(timer);
        streams.delete(res);
      });
      return;
    }
    if (url.pathname === '/api/v1/timelines/public') {
      const page = Array.from({ length: 5 }, fresh).reverse();
      const body = JSON.stringify(page);
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
      return void res.end(body);
    }
    res.writeHead(404, { ...cors, 'Content-Type': 'application/json' });
    res.end('{"error":"Record not found"}');
  });
  return {
    ...(await listenLocal(server, () => {
      for (const s of streams) s.destroy();
    })),
    requests,
    sent,
  };
}

/** A server that accepts connections and never sends a byte: a hung instance. */
export async function startSilent(): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  const { createServer: createTcp } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let connections = 0;
  const server = createTcp((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
