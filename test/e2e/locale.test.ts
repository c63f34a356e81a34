import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected } from './support/app-page';
import { card, chartSvg, readTable } from './support/charts-page';

/**
 * Issue 18: a reader whose browser speaks German reads 1.234 and 2,5 everywhere, the charts'
 * axes and labels included (d3-format was fixed to en-US while the panels followed the browser).
 */
describe('numbers in the browser locale (de-DE)', () => {
  const h = useHarness({ locale: 'de-DE' });

  it('writes thousands with a full stop on the axes, bar labels and tables of the charts', async () => {
    const page = await openApp(h.context, `${h.url}?demo`);
    try {
      await page.locator('#demo-rate').selectOption('2000');
      await expect.poll(() => tootsCollected(page), { timeout: 120_000 }).toBeGreaterThan(5000);
      await page.getByRole('button', { name: 'Stop demo' }).click();
      await expect.poll(() => page.locator('article.chart-card[aria-busy="true"]').count(), { timeout: 30_000 }).toBe(0);

      // The summary already followed the browser: it sets the expectation.
      const summary = (await page.getByLabel('Toots collected', { exact: true }).textContent()) ?? '';
      expect(summary).toMatch(/^\d{1,3}(\.\d{3})+$/);

      const languages = card(page, 'Top 20 languages');
      const svg = await chartSvg(languages);
      // Over 5,000 toots, the top language has more than 1,000: its bar label and the axis show thousands.
      await expect
        .poll(async () => (await svg.locator('text').allTextContents()).filter((t) => /^\d{1,3}\.\d{3}$/.test(t.trim())).length, { timeout: 15_000 })
        .toBeGreaterThan(0);
      const texts = await svg.locator('text').allTextContents();
      expect(texts.filter((t) => /\d,\d{3}\b/.test(t)), 'en-US thousands in a German browser').toEqual([]);

      // Read until it shows the counts: a round still under way when the drawing was read (the
      // last batches merge after the demo stops) redraws the table too. Failed once in CI.
      const german = async () => (await readTable(languages)).rows.flat().filter((c) => /^\d{1,3}(\.\d{3})+$/.test(c)).length;
      await expect.poll(german, { timeout: 15_000 }).toBeGreaterThan(0);
      const table = await readTable(languages);
      expect(table.rows.flat().filter((c) => /\d,\d{3}\b/.test(c))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
