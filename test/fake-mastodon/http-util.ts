/**
 * Small node:http helpers shared by the fake web host and the fake streaming host. They exist so
 * every response path (errors included) sets the same headers the real servers set: a browser
 * test fails on a missing CORS header exactly as it would against mastodon.social.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Mastodon's rack-cors config exposes on /api/* (config/initializers/cors.rb). */
export const EXPOSE_HEADERS = 'Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id';

export type Headers = Record<string, string>;

export function requestId(): string {
  return randomUUID();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers: Headers = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

const MAX_BODY = 1 << 20;

/** A form- or JSON-encoded request body as flat string fields (Rails accepts both for these APIs). */
export async function readParams(req: IncomingMessage): Promise<Record<string, string | string[]>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (Array.isArray(v)) out[k] = v.map(String);
      else if (v !== null && v !== undefined) out[k] = String(v);
    }
    return out;
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const key = k.endsWith('[]') ? k.slice(0, -2) : k;
    const prev = out[key];
    if (k.endsWith('[]')) out[key] = [...(Array.isArray(prev) ? prev : prev ? [prev] : []), v];
    else out[key] = v;
  }
  return out;
}

export function param(params: Record<string, string | string[]>, key: string): string | undefined {
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

/** `Authorization: Bearer X` wins over `?access_token=X`, like both Rails (Doorkeeper) and the streaming server. */
export function accessToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth) return auth.replace(/^Bearer /i, '').trim();
  return url.searchParams.get('access_token') ?? undefined;
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Rails' `truthy_param?` (ActiveModel boolean cast): anything but blank and the false words. */
export function railsTruthy(value: string | null): boolean {
  if (value === null || value === '') return false;
  return !['0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF'].includes(value);
}

/** The streaming server's `isTruthy`: only the true words count. */
export function streamingTruthy(value: string | null): boolean {
  return value !== null && ['1', 't', 'true', 'y', 'yes', 'on'].includes(value.toLowerCase());
}

/** Ruby's `String#to_i`: leading integer or 0. */
export function rubyToI(value: string | null): number {
  const m = /^\s*([+-]?\d+)/.exec(value ?? '');
  return m ? parseInt(m[1] as string, 10) : 0;
}

/**
 * Listens on a free loopback port. `close` ends open connections too (a browser keeps them alive),
 * after `beforeClose` (e.g. destroying streams the server holds open).
 */
export async function listenLocal(server: Server, beforeClose: () => void = () => undefined): Promise<{ url: string; close(): Promise<void> }> {
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        beforeClose();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
