import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The Hive export measurement reuses Vitest only as a TypeScript runner (Node 20 has
// no type stripping and the project has no tsx). It is deliberately outside
// the unit/e2e projects so `npm test` never runs it.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/hive-export.ts'],
    environment: 'node',
    // One fork, no file parallelism: throughput must not compete with another worker.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    // Print the table as it is produced instead of Vitest's buffered console blocks.
    disableConsoleIntercept: true,
  },
});
