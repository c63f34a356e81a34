import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Several tests took 27-30 s on a loaded 2-core machine (rollups, compaction, hive
          // export): 30 s would fail them with no defect. A limit ends a hang; it does not time.
          testTimeout: 120_000,
          // Vitest's 10 s default for beforeAll (opening DuckDB-WASM, loading a table) ran out on a
          // busy 2-core machine: a limit is there to end a hang, not to time the machine.
          hookTimeout: 60_000,
          expect: { poll: { timeout: 30_000 } },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // The files run one after another in one process anyway; without a fresh module graph per
          // file each skips ~1 s of importing playwright-core and the fakes again (39 files). Each
          // file still gets its own browser, profile, static host and fakes (support/harness.ts).
          isolate: false,
          // expect.poll's 1 s default timed the machine: on a loaded CI run the first instance row
          // took longer than 1 s to render (core-loop failed at "row count 0"). Poll waits on a
          // condition; its limit only ends a hang.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
