import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeQuery } from '../unit/helpers/native-duckdb';
import { useHarness } from './support/harness';
import { openApp, waitForCount } from './support/app-page';

/** Issue 6 § Retention: keep the newest N toots or the last N days; export what falls out first. */
describe('retention', () => {
  const h = useHarness({ fakes: { fake: { domain: 'keep.test', liveFeeds: 'public', cacheSeconds: 1, seed: 31 } } });
  it('exports the toots outside the window, then drops them, also after a reload', async () => {
    const fake = h.fakes.fake;
    const day = 86_400_000;
    const now = Date.now();
    // One post a day for ten days: the newest 4 are the last four days.
    for (let i = 9; i >= 0; i--) fake.publish({ created_at: new Date(now - i * day - 3_600_000).toISOString() });
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    await waitForCount(page, 10);

    await page.getByLabel('Keep').selectOption('toots');
    await page.getByLabel('N', { exact: true }).fill('4');
    await expect.poll(() => page.getByText('6 toots fall outside.').count(), { timeout: 20_000 }).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export them first' }).click()]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-retention-')), download.suggestedFilename());
    await download.saveAs(file);
    const [out] = await nativeQuery<{ n: string }>(`SELECT count(*) AS n FROM read_parquet('${file}')`);
    expect(out!.n).toBe('6');

    await page.getByRole('button', { name: 'Apply retention' }).click();
    await waitForCount(page, 4);
    await page.reload();
    await waitForCount(page, 4);

    // By age: the last 2 days keep 2 of the 4.
    await page.getByLabel('Keep').selectOption('days');
    await page.getByLabel('N', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Apply retention' }).click();
    await waitForCount(page, 2);
  });
});
