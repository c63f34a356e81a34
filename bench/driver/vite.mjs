/** Vite's dev server for the bench page, with an upload endpoint for the exported Parquet. */
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createLogger, createServer } from 'vite';
import { OUT_DIR, ROOT } from './util.mjs';

function uploadPlugin() {
  return {
    name: 'tootscope-bench-upload',
    configureServer(server) {
      server.middlewares.use('/__bench/upload', (req, res) => {
        const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '';
        if (req.method !== 'POST' || !/^[\w.-]+\.parquet$/.test(name)) {
          res.statusCode = 400;
          res.end('bad upload');
          return;
        }
        mkdirSync(OUT_DIR, { recursive: true });
        const file = createWriteStream(path.join(OUT_DIR, name));
        req.pipe(file);
        file.on('finish', () => res.end('ok'));
        file.on('error', (err) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      });
    },
  };
}

export async function startVite() {
  // duckdb-wasm's worker and zstd-wasm ship source maps pointing outside their package or at files
  // they do not ship: Vite warns once per file.
  const logger = createLogger('warn');
  const quiet = (msg) => /Sourcemap for .* points to (a source file outside its package|missing source files)/.test(msg);
  const warn = logger.warn.bind(logger);
  const warnOnce = logger.warnOnce.bind(logger);
  logger.warn = (msg, o) => void (quiet(msg) || warn(msg, o));
  logger.warnOnce = (msg, o) => void (quiet(msg) || warnOnce(msg, o));
  const server = await createServer({
    root: ROOT,
    customLogger: logger,
    clearScreen: false,
    // No file watching and no HMR: other people edit src/ while a run can last many minutes, and a
    // full reload would wreck it. Modules are transformed once, when first asked for.
    // COOP/COEP: bench pages may still run duckdb-wasm's threaded bundle (bench/opfs-probe); the
    // app itself no longer needs cross-origin isolation.
    server: {
      host: '127.0.0.1', port: 5190, strictPort: false, hmr: false, watch: null,
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' },
    },
    optimizeDeps: { entries: ['bench/index.html'] },
    plugins: [uploadPlugin()],
  });
  await server.listen();
  const url = server.resolvedUrls?.local?.[0];
  if (!url) throw new Error('vite: no local URL');
  return { server, url: url.replace(/\/$/, '') };
}

