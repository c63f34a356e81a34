import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness';
import { openApp, waitForCount } from './support/app-page';
import { batchAndSegmentReads, changeDbFile, leaveApp, readDbFile, recordIdbReads, rewriteWithNative } from './support/table-file';

/**
 * Issue 15 § Faults: DuckDB's database file is only a cache. A damaged one, a truncated one and
 * one another DuckDB wrote (each put into OPFS by a page of the app's origin while the app is
 * closed) are detected, rebuilt from what IndexedDB holds, and the page says why.
 */
const tableHome = (page: Page) => page.getByTestId('table-home').textContent();
const rebuiltNotice = (page: Page) => page.getByRole('alert').filter({ hasText: "DuckDB's table file could not be used" });

/** Back into the app after the file was changed: the page says why it rebuilt, and counts every toot. */
async function reopenRebuilt(page: Page, url: string, n: number, why: RegExp): Promise<void> {
  await page.goto(url);
  await expect.poll(() => rebuiltNotice(page).count(), { timeout: 60_000 }).toBe(1);
  expect(await rebuiltNotice(page).textContent()).toMatch(why);
  await waitForCount(page, n);
  await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);
}

describe("a damaged DuckDB database file", () => {
  const h = useHarness({ fakes: { fake: { domain: 'damage.test', liveFeeds: 'public', cacheSeconds: 1, seed: 16 } } });

  it('is rebuilt from the stored toots when corrupted, truncated or written by another DuckDB', async () => {
    const fake = h.fakes.fake;
    for (let i = 0; i < 25; i++) fake.publish();
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    await waitForCount(page, 25);
    await expect.poll(() => tableHome(page), { timeout: 30_000 }).toMatch(/kept in a database file/);
    await recordIdbReads(page);

    await leaveApp(page, h.url);
    await changeDbFile(page, 'corrupt');
    await reopenRebuilt(page, h.url, 25, /could not be opened \(.*Corrupt database file/);

    await leaveApp(page, h.url);
    await changeDbFile(page, 'truncate');
    await reopenRebuilt(page, h.url, 25, /was cut short \(\d[\d,]* bytes is not DuckDB's headers and whole blocks\)/);

    await leaveApp(page, h.url);
    const other = await rewriteWithNative(await readDbFile(page), ["UPDATE table_meta SET duckdb_version = 'v1.3.2'"]);
    await changeDbFile(page, { base64: other });
    await reopenRebuilt(page, h.url, 25, /written by DuckDB v1\.3\.2, and this page runs DuckDB v1\.4\.3/);

    // The rebuilt file is whole: the next reload reopens it as it is, reading no stored batch.
    await page.goto(h.url);
    await waitForCount(page, 25);
    expect(await batchAndSegmentReads(page)).toEqual([]);
    expect(await rebuiltNotice(page).count()).toBe(0);
  });
});
