import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest only as a TypeScript runner, outside the unit/e2e projects so `npm test` never runs it.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/native-rounds.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    disableConsoleIntercept: true,
  },
});
