import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest only as a TypeScript runner for the live-panel benchmark (a headless Chromium run), kept
// outside the unit/e2e projects so `npm test` never runs it.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/live-panel.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    disableConsoleIntercept: true,
  },
});
