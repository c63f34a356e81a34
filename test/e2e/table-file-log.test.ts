import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DIST } from './support/global-setup';
import { serveStatic } from './support/static-server';
import { launchBrowser } from './support/browser';
import { tootsCollected } from './support/app-page';
import { killBrowser } from './support/kill-browser';
import { queryViaConsole } from './support/page-sql';
import { batchAndSegmentReads, DB_FILE, opfsFileBytes, recordIdbReads } from './support/table-file';

/**
 * Issue 15: what DuckDB's file took in after its last checkpoint survives the next open.
 * duckdb-wasm 1.32 left the write-ahead log behind after a checkpoint, at its largest size, and
 * wrote the next log over it from the front: a reopen dropped every merge since the checkpoint,
 * and the app merged those batches again from IndexedDB (scripts/patch-duckdb-opfs-wal.mjs).
 * Here, twice on one profile: toots, a checkpoint (the page's pagehide) that empties the log,
 * more toots merged into the log, the browser killed (no pagehide, so no checkpoint). Each
 * relaunch reopens the file with every toot and reads no stored batch; the second replays a log
 * written after the first relaunch's replay and checkpoint.
 */
const walBytes = async (page: Page) => (await opfsFileBytes(page, `${DB_FILE}.wal`)) ?? -1;
const tableHome = (page: Page) => page.getByTestId('table-home').textContent();
const inDuckDb = async (page: Page) => Number((await queryViaConsole(page, 'SELECT count(*) AS n FROM toots')).rows[0]![0]);

/** Lets the demo run past `n` toots, stops it, and waits until DuckDB has merged every stored batch. */
async function collect(page: Page, n: number): Promise<void> {
  await expect.poll(async () => (await tootsCollected(page)) > n, { timeout: 120_000 }).toBe(true);
  await page.getByRole('button', { name: 'Stop demo' }).click();
  await expect.poll(async () => (await inDuckDb(page)) === (await tootsCollected(page)), { timeout: 60_000 }).toBe(true);
}

describe("DuckDB's write-ahead log in OPFS", () => {
  it('keeps the merges after a checkpoint across a kill, and is empty after the checkpoint', { timeout: 600_000 }, async () => {
    const site = await serveStatic(DIST, { prefix: '/', isolated: true });
    const profile = mkdtempSync(path.join(tmpdir(), 'tootscope-wal-'));
    let stored = 0;
    try {
      for (let round = 1; round <= 2; round++) {
        const b = await launchBrowser({ userDataDir: profile });
        try {
          const page = await b.context.newPage();
          await page.goto(`${site.url}?demo`);
          await expect.poll(() => tableHome(page), { timeout: 120_000 }).toMatch(/kept in a database file/);
          // Toots merged into the log, then a checkpoint of them (the page's pagehide, as on a
          // reload): it empties the log, which used to stay at its largest size. In the second
          // round the page opened a log (replayed it), after which duckdb-wasm's checkpoints left
          // it whole until the next commit truncated it: the kept figures' refresh a few seconds
          // later, whose own ~100-190 KB then stayed. Polled often: that refresh may follow the
          // checkpoint, and the log is empty until it commits.
          await collect(page, stored + 300);
          const logged = await walBytes(page);
          expect(logged).toBeGreaterThan(4096);
          await page.evaluate(() => dispatchEvent(new Event('pagehide')));
          await expect.poll(() => walBytes(page), { timeout: 60_000, interval: 20 }).toBeLessThan(4096);
          // More toots, merged into the log only: the kill leaves them there.
          await page.getByRole('button', { name: 'Start demo stream' }).click();
          await collect(page, (await inDuckDb(page)) + 300);
          stored = await inDuckDb(page);
        } finally {
          await killBrowser(profile);
          await b.close().catch(() => undefined);
        }

        const again = await launchBrowser({ userDataDir: profile });
        try {
          const page = await again.context.newPage();
          await recordIdbReads(page);
          await page.goto(site.url);
          await expect.poll(() => tableHome(page), { timeout: 120_000 }).toMatch(/kept in a database file/);
          await expect.poll(() => inDuckDb(page), { timeout: 60_000 }).toBe(stored);
          expect(await batchAndSegmentReads(page), `round ${round}: batches merged again after the reopen`).toEqual([]);
          expect(await page.getByRole('alert').filter({ hasText: "DuckDB's table file could not be used" }).count()).toBe(0);
        } finally {
          await again.close();
        }
      }
    } finally {
      await site.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
