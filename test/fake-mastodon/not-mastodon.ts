/**
 * A web server that is not Mastodon: every path, /api/v2/instance included, answers 200 with an
 * HTML page, as a blog or a parked domain does. Discovery must say "not a Mastodon server" here
 * rather than fail on JSON parsing or wait for a stream.
 */

import { createServer } from 'node:http';
import { listenLocal } from './http-util';

export interface NotMastodon {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Requests per path. */
  requests: Record<string, number>;
  close(): Promise<void>;
}

export interface NotMastodonOptions {
  /**
   * Send `Access-Control-Allow-Origin: *` (default true) so a page can read the HTML and tell
   * the person what it found; false models the usual site, which a browser fetch cannot read.
   */
  cors?: boolean;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Welcome to my blog</title></head>
<body><h1>Welcome to my blog</h1><p>Nothing to see here: this is not a Mastodon server.</p></body></html>
`;

export async function startNotMastodon(opts: NotMastodonOptions = {}): Promise<NotMastodon> {
  const cors = opts.cors ?? true;
  const requests: Record<string, number> = {};
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(PAGE)),
      ...(cors ? { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : PAGE);
  });
  return { ...(await listenLocal(server)), requests };
}
