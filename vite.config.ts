import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { VitePWA } from 'vite-plugin-pwa';
import { constants } from 'node:zlib';
import path from 'node:path';
import { statSync } from 'node:fs';
import { serveDist } from './scripts/serve-dist.mjs';

/** The mvp bundle is only for browsers without WebAssembly exceptions: never precached, never brotli'd. */
const MVP = /duckdb-(mvp|browser-mvp\.worker)[^/]*$/;

/**
 * `vite preview` (and `npm start`) serve `dist/` as README's hosting notes tell hosts to: the
 * precompressed copies by Accept-Encoding, hashed assets cached for good. Vite's own preview
 * server would send the 34 MB wasm uncompressed.
 */
function servePrecompressed(): Plugin {
  return {
    name: 'tootscope-serve-precompressed',
    configurePreviewServer(server) {
      server.middlewares.use(serveDist(path.resolve(server.config.root, server.config.build.outDir)));
    },
  };
}

/** The wasm files' real sizes: the start-up bar's scale (a compressed response's length is not it). */
const wasmSizes = Object.fromEntries(
  ['duckdb-eh.wasm', 'duckdb-mvp.wasm'].map((n) => [n, statSync(path.resolve(import.meta.dirname, 'node_modules/@duckdb/duckdb-wasm/dist', n)).size]),
);

export default defineConfig({
  define: { __WASM_SIZES__: JSON.stringify(wasmSizes) },
  // Relative asset paths: the built page works from any static host, also under a sub-path.
  base: './',
  plugins: [
    svelte(),
    // Static hosts (GitHub Pages aside) serve `x.br` / `x.gz` beside `x` as they are, with no
    // compression work per request; the 34 MB DuckDB wasm goes over the wire as ~6 MB. Brotli at
    // quality 9, not 11: 11 takes minutes on the wasm for 0.7 MB less, on every build.
    compression({
      include: /\.(html|css|js|mjs|json|svg|wasm|webmanifest)$/,
      algorithms: ['gzip'],
      threshold: 1024,
      logLevel: 'silent',
    }),
    compression({
      include: /\.(html|css|js|mjs|json|svg|wasm|webmanifest)$/,
      exclude: MVP,
      algorithms: [defineAlgorithm('brotliCompress', { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })],
      threshold: 1024,
      logLevel: 'silent',
    }),
    VitePWA({
      // Registered by src/ui/offline/service-worker.ts (no inline script: the CSP forbids it).
      injectRegister: false,
      registerType: 'prompt',
      // The glob below takes the icons; listing them again would only repeat precache entries.
      includeAssets: [],
      includeManifestIcons: false,
      manifest: {
        name: 'Tootscope: live fediverse analytics',
        short_name: 'Tootscope',
        description: 'Live analytics of the fediverse, entirely in your browser',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#5b4bdb',
        icons: [
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell, the eh wasm and its worker, parquet-wasm and zstd: everything a reload
        // with no network needs. Not mvp (39 MB a browser with WebAssembly exceptions never uses).
        globPatterns: ['**/*.{html,js,css,wasm,svg,png,webmanifest}'],
        globIgnores: ['**/*duckdb-mvp*', '**/*duckdb-browser-mvp*'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        // The page itself comes from the network while there is one (a small revalidation), so a
        // reload runs the newest deploy: its hashed files are fetched as they are named. With no
        // network, any navigation in scope (`?demo`, `?instances=…`) opens the
        // precached page, which matches the precached files. The worker of a new version waits
        // (no skipWaiting, no clientsClaim): a page that is collecting keeps the worker, and so the
        // files, it started with; the new worker takes over once no tab uses the old one.
        navigateFallback: null,
        // Else the precache answers `./` itself, before the route below.
        directoryIndex: null,
        runtimeCaching: [
          {
            urlPattern: ({ request }) => request.mode === 'navigate',
            handler: 'NetworkOnly',
            options: { precacheFallback: { fallbackURL: 'index.html' } },
          },
        ],
        cleanupOutdatedCaches: true,
        skipWaiting: false,
        clientsClaim: false,
      },
    }),
    servePrecompressed(),
  ],
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm', '@bokuweb/zstd-wasm'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // Rolldown's note on slow plugins printed a screenful on every `npm start` (issue 18's
    // start-up noise): it is advice for whoever tunes the build, not news for someone starting
    // the app. `node --cpu-prof` on the build finds the same.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
