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
    await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);
    expect(await batchAndSegmentReads(page)).toEqual([]);
    expect(await rebuiltNotice(page).count()).toBe(0);
  });
});
