/**
 * How `dist/` is served by `npm start`, `npm run preview` and the e2e tests' static host: the
 * precompressed `.br` / `.gz` copies the build wrote, picked by the request's Accept-Encoding (sirv
 * does the negotiation and sends `Vary: Accept-Encoding`), and caching as README's hosting notes ask
 * of any host: files under `assets/` have a content hash in their name, so they are cached for a year;
 * everything else (index.html, sw.js, the manifest) is revalidated on every load.
 * `dev`: read the file system on every request (a test changes files between visits).
 */
import sirv from 'sirv';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** @param {string} dir @param {{ dev?: boolean }} [opts] */
export function serveDist(dir, opts = {}) {
  return sirv(dir, {
    dev: opts.dev ?? false,
    etag: true,
    brotli: true,
    gzip: true,
    setHeaders(res, pathname) {
      res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    },
  });
}
