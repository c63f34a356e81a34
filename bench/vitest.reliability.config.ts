import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fault suite's scenario, recorded: `npm run bench:reliability` builds the app (the e2e global
// setup), runs test/e2e/support/fault-scenario.ts once and writes docs/bench/reliability.json and
// docs/RELIABILITY.md. Vitest is only the TypeScript runner here, outside `npm test`.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/reliability.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/support/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
    disableConsoleIntercept: true,
  },
});
