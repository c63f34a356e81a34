import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness';
import { openApp, waitForCount } from './support/app-page';
import { batchAndSegmentReads, recordIdbReads } from './support/table-file';

/**
 * Issue 15: the collector tab keeps DuckDB's table in its own database file in OPFS, a cache of
 * what IndexedDB holds. A reload reopens it instead of rebuilding the table from the stored
 * batches and segments; another tab never opens it and builds its own table in memory.
 */
const tableHome = (page: Page) => page.getByTestId('table-home').textContent();
const rebuiltNotice = (page: Page) => page.getByRole('alert').filter({ hasText: "DuckDB's table file could not be used" });

describe("DuckDB's database file in OPFS", () => {
  const h = useHarness({ fakes: { fake: { domain: 'file.test', liveFeeds: 'public', cacheSeconds: 1, seed: 15 } } });

  it('reopens on reload without reading a stored batch, and stays out of a second tab', async () => {
    const fake = h.fakes.fake;
    for (let i = 0; i < 20; i++) fake.publish();
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    await waitForCount(page, 20);
    await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);

    // A reload reopens the file: every toot is there and no batch or segment is read again.
    await recordIdbReads(page);
    await page.goto(h.url);
    await waitForCount(page, 20);
    await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);
    expect(await batchAndSegmentReads(page)).toEqual([]);
    expect(await rebuiltNotice(page).count()).toBe(0);

    // A second tab shows the same data from a table in memory; the collector keeps its file.
    const viewer = await openApp(h.context, h.url);
    await expect.poll(() => viewer.getByText('Another tab of Tootscope is collecting').count(), { timeout: 30_000 }).toBe(1);
    await waitForCount(viewer, 20);
    expect(await tableHome(viewer)).toMatch(/table is in memory/);
    for (let i = 0; i < 5; i++) fake.publish();
    await waitForCount(page, 25);
    await waitForCount(viewer, 25);
    await viewer.close();
    // Had the viewer opened the file, the collector's reload would find it changed or taken; it
    // reopens it with the batches written meanwhile applied, and again reads none.
    await page.goto(h.url);
    await waitForCount(page, 25);
    expect(await tableHome(page)).toMatch(/kept in a database file/);
    expect(await batchAndSegmentReads(page)).toEqual([]);
    expect(await rebuiltNotice(page).count()).toBe(0);
  });

  it('opens a file another handle holds once it is let go, on the DuckDB it already started', async () => {
    for (const p of h.context.pages()) await p.close();
    // Another handle on the file, as the last page's DuckDB worker may hold it a moment into a
    // reload: a worker of this origin with an OPFS access handle on it, let go on request.
    const holder = await h.context.newPage();
    await holder.goto(`${h.url}icon.svg`);
    await holder.evaluate(async () => {
      const src = `onmessage = async () => {
        const file = await (await navigator.storage.getDirectory()).getFileHandle('tootscope.duckdb');
        const handle = await file.createSyncAccessHandle();
        onmessage = () => { handle.close(); postMessage('let go'); };
        postMessage('held');
      };`;
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      (globalThis as unknown as { holder: Worker }).holder = w;
      await new Promise((r) => {
        w.onmessage = r;
        w.postMessage('hold');
      });
    });
    const page = await openApp(h.context, h.url);
    const marks = (name: string) => page.evaluate((n) => performance.getEntriesByName(`tootscope:${n}`).length, name);
    // The page found the file held and waits to try again...
    await expect.poll(() => marks('open-retry'), { timeout: 60_000 }).toBeGreaterThan(0);
    await holder.evaluate(() => new Promise((r) => {
      const w = (globalThis as unknown as { holder: Worker }).holder;
      w.onmessage = r;
      w.postMessage('let go');
    }));
    // ...and opens it then, with every toot, on the worker it had: DuckDB was started once.
    await waitForCount(page, 25);
    await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);
    expect(await rebuiltNotice(page).count()).toBe(0);
    expect(await marks('wasm-fetch-start')).toBe(1);
    await holder.close();
  });
});
