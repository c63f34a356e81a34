import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveDist } from '../../../scripts/serve-dist.mjs';

/** One response the static host sent: path under the prefix, status and Content-Encoding. */
export interface Served {
  readonly path: string;
  readonly status: number;
  readonly encoding: string;
}

/**
 * Any static host, as a person would deploy `dist/`: files under a sub-path, served the way README's
 * hosting notes ask (scripts/serve-dist.mjs: the build's `.br`/`.gz` copies by Accept-Encoding,
 * hashed assets cacheable), so tests see the bytes people get. Files are read on every request: a
 * test may change them between visits. `served` lists what was sent, and (optionally) the COOP/COEP
 * headers some bench pages still want.
 */
export async function serveStatic(root: string, opts: { prefix?: string; isolated?: boolean } = {}) {
  const prefix = opts.prefix ?? '/';
  const files = serveDist(root, { dev: true });
  const served: Served[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    const rel = url.pathname.slice(prefix.length);
    res.on('finish', () => served.push({ path: rel, status: res.statusCode, encoding: String(res.getHeader('Content-Encoding') ?? '') }));
    if (opts.isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'credentialless');
    }
    req.url = `/${rel}${url.search}`;
    files(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    served,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
