import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected, waitForCount } from './support/app-page';

/** Reads the compaction state straight from IndexedDB, as a reload would find it. */
async function stored(page: import('playwright-core').Page) {
  return page.evaluate(
    () =>
      new Promise<{ snapshotSeq: number; batches: number }>((resolve, reject) => {
        const req = indexedDB.open('tootscope-batches');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('batches')) return reject(new Error('the app has not created its store'));
          const os = db.transaction('batches').objectStore('batches');
          const seq = os.get('snapshot-seq');
          const keys = os.getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve({ snapshotSeq: (seq.result as number | undefined) ?? -1, batches: (keys.result as string[]).filter((k) => k.startsWith('batch-')).length });
          };
        };
      }),
  );
}

/** Issue 6: batches are compacted into a Parquet snapshot in the background, and a reload keeps every toot. */
describe('compaction in the browser', () => {
  const h = useHarness();

  // At 2,000 toots/s the demo needs ~30 s to pass the 50k threshold, more on a loaded machine.
  it('compacts once 50k toots are stored, and reloads to the same count', { timeout: 330_000 }, async () => {
    const page = await openApp(h.context, `${h.url}?demo`);
    await page.locator('#demo-rate').selectOption('2000');
    // Open the app's database only once the app has created it (opening first would create it empty).
    await expect.poll(() => tootsCollected(page), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await stored(page)).snapshotSeq, { timeout: 200_000, interval: 2000 }).toBeGreaterThanOrEqual(0);
    await page.getByRole('button', { name: 'Stop demo' }).click();
    await page.waitForTimeout(2500);
    const count = await tootsCollected(page);
    expect(count).toBeGreaterThan(45_000);
    const after = await stored(page);
    expect(after.batches).toBeLessThan(20);
    await page.reload();
    await waitForCount(page, count, 60_000);
  });
});
