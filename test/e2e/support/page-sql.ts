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
  // The run is seen by the console's "Running…" status appearing, not by a changed result: the
  // same query answered twice with the same figures and time leaves the screen as it was.
  await page.evaluate(() => {
    const w = window as unknown as { __sqlRunSeen?: boolean; __sqlRunObserver?: MutationObserver };
    w.__sqlRunObserver?.disconnect();
    w.__sqlRunSeen = false;
    const section = document.querySelector('section.sql-console');
    if (!section) throw new Error('no SQL console on the page');
    const seen = () => [...section.querySelectorAll('[role="status"]')].some((el) => el.textContent === 'Running…');
    w.__sqlRunObserver = new MutationObserver(() => {
      if (seen()) w.__sqlRunSeen = true;
    });
    w.__sqlRunObserver.observe(section, { childList: true, subtree: true, characterData: true });
  });
  await run.click();
  await expect
    .poll(async () => {
      const err = page.getByTestId('sql-error');
      if (await err.count()) return `error: ${await err.textContent()}`;
      const ran = await page.evaluate(() => (window as unknown as { __sqlRunSeen?: boolean }).__sqlRunSeen === true);
      const status = page.getByTestId('sql-status');
      const text = ran && (await run.isEnabled()) && (await status.count()) ? await status.textContent() : null;
      return text && /^\d[\d,]* rows? · /.test(text) ? 'done' : 'running';
    }, { timeout: timeoutMs })
    .toBe('done');
  const section = page.getByRole('region', { name: 'SQL console' });
  const csv = await download(page, () => section.getByRole('button', { name: 'Download CSV' }).click());
  const lines = csv.bytes.toString('utf8').split('\r\n').filter((l) => l.length);
  const [head, ...rest] = lines;
  return { columns: (head ?? '').split(','), rows: rest.map((l) => l.split(',')) };
}
