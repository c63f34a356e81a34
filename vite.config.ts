import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Cross-origin isolation lets Chromium pick duckdb-wasm's threaded "coi" bundle;
// without it the app falls back to the single-threaded "eh" bundle.
// `credentialless` (not `require-corp`) so remote avatars still load.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

export default defineConfig({
  // Relative asset paths: the built page works from any static host, also under a sub-path.
  base: './',
  plugins: [svelte()],
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm', 'parquet-wasm', '@bokuweb/zstd-wasm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, headers: isolation },
  preview: { host: '127.0.0.1', port: 4173, headers: isolation },
});
