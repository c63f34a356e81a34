import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { holdDuckDbWasm } from './support/hold-duckdb';
import { openApp, row, tootsCollected, waitForCount, waitForRowState } from './support/app-page';

/** Toots in the stored batches (IndexedDB, the write-ahead log), read in the page. */
function storedRows(page: Page): Promise<number> {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'tootscope-batches')) return 0;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('tootscope-batches');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains('batches')) return 0;
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const req = db.transaction('batches').objectStore('batches').getAll(IDBKeyRange.bound('batch-', 'batch-~'));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      return all.reduce<number>((n, b) => n + ((b as { rows?: number }).rows ?? 0), 0);
    } finally {
      db.close();
    }
  });
}

/**
 * The row counts what reached IndexedDB: in a fresh profile, every stored row. (A poll that comes
 * before the last one's rows are stored fetches them again, by design: positions move only past
 * stored rows. DuckDB keeps each post once; the row counts both copies.)
 */
async function rowMatchesStore(page: Page, host: string): Promise<boolean> {
  const shown = Number((await row(page, host).getByTestId('collected').textContent())?.replace(/,/g, ''));
  return shown > 0 && shown === (await storedRows(page));
}

/**
 * Issue 16: collection does not wait for DuckDB. With DuckDB's wasm held back, a `?instances=`
 * row polls and its toots reach IndexedDB; once DuckDB starts, the count catches up, each toot
 * counted once.
 */
describe('collection before DuckDB is ready', () => {
  const h = useHarness({ fakes: { alpha: { domain: 'early.test', liveFeeds: 'public', cacheSeconds: 1, seed: 16 } }, serviceWorkers: 'block' });

  it('stores the first toots in IndexedDB while DuckDB cannot start, then DuckDB takes them once', async () => {
    const alpha = h.fakes.alpha;
    for (let i = 0; i < 12; i++) alpha.publish();
    const wasm = await holdDuckDbWasm(h.context);
    const page = await openApp(h.context, `${h.url}?instances=${alpha.webUrl}`);
    const host = new URL(alpha.webUrl).host;
    try {
      // The row says what it does from the start: it polls (not "collected in another tab").
      await waitForRowState(page, host, /^polling/);
      await expect.poll(() => storedRows(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(12);
      await expect.poll(() => rowMatchesStore(page, host)).toBe(true);
      // All of that while DuckDB's wasm has not arrived: DuckDB is not ready and counts nothing yet.
      expect(wasm.held()).toBe(1);
      expect(await page.getByText('DuckDB-WASM bundle:').count()).toBe(0);
      expect(await tootsCollected(page)).toBe(0);
    } finally {
      wasm.release();
    }
    await expect.poll(() => page.getByText('DuckDB-WASM bundle:').count(), { timeout: 60_000 }).toBe(1);
    await waitForCount(page, 12);
    // Once each: DuckDB's count of what this visit stored is not added to the row's count again.
    await expect.poll(() => rowMatchesStore(page, host)).toBe(true);
    // Later toots go the usual way, through IndexedDB into DuckDB.
    for (let i = 0; i < 3; i++) alpha.publish();
    await waitForCount(page, 15);
    await expect.poll(() => rowMatchesStore(page, host)).toBe(true);
    await wasm.stop();
    await page.close();
  });
});
