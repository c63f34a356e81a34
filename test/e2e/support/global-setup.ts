import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

export const DIST = path.resolve(import.meta.dirname, '../../../test-results/dist');

/**
 * The e2e suite tests the built page, as a static host would serve it. Vitest sets NODE_ENV=test,
 * which would make Vite compile Svelte in dev mode (several times slower, and not what ships), so
 * the build runs as production.
 */
export default async function setup(): Promise<void> {
  // `npm test` builds once for its two e2e processes (scripts/test.mjs).
  if (process.env.TOOTSCOPE_E2E_PREBUILT === '1' && existsSync(path.join(DIST, 'index.html'))) return;
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: path.resolve(import.meta.dirname, '../../..'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: DIST, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = env;
  }
}
