import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { download } from './charts-page';

/**
 * Runs `sql` in the page's own SQL console (the DuckDB the page collects into) and returns the
 * result as the console's CSV download: every row, not only those the table has on screen. The
 * console's Run button is enabled only once the stored toots are loaded into DuckDB, so a query
 * sees all of them. Cells must not hold commas, quotes or line breaks (uris and numbers do not).
 */
export async function queryViaConsole(page: Page, sql: string, timeoutMs = 120_000): Promise<{ columns: string[]; rows: string[][] }> {
  const editor = page.getByRole('textbox', { name: 'SQL' });
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect.poll(() => run.isEnabled(), { timeout: timeoutMs }).toBe(true);
  await editor.fill(sql);
  const status = page.getByTestId('sql-status');
  // What an earlier run left on screen would pass the wait below: note it and wait for a change.
  // (A caller that runs one query twice makes the result differ, e.g. with a counter column.)
  const shown = async () => {
    const text = (await status.count()) ? await status.textContent() : null;
    if (!text || !/^\d[\d,]* rows? · /.test(text)) return null;
    const region = page.getByRole('region', { name: 'Query result' });
    const head = (await region.count()) ? await region.evaluate((el) => [...el.querySelectorAll('thead th, tbody tr:not(.spacer)')].slice(0, 12).map((x) => x.textContent).join('|')) : '';
    return `${text}|${head}`;
  };
  const before = await shown();
  await run.click();
  await expect
    .poll(async () => {
      const err = page.getByTestId('sql-error');
      if (await err.count()) return `error: ${await err.textContent()}`;
      const now = await shown();
      return now !== null && now !== before ? 'done' : 'running';
    }, { timeout: timeoutMs })
    .toBe('done');
  const section = page.getByRole('region', { name: 'SQL console' });
  const csv = await download(page, () => section.getByRole('button', { name: 'Download CSV' }).click());
  const lines = csv.bytes.toString('utf8').split('\r\n').filter((l) => l.length);
  const [head, ...rest] = lines;
  return { columns: (head ?? '').split(','), rows: rest.map((l) => l.split(',')) };
}
