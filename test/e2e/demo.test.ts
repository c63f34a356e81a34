import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, requestsOffOrigin, tootsCollected } from './support/app-page';
import { card, chartSvg, readTable } from './support/charts-page';

/** The demo works with no network at all and is offered when no instance is added. */
describe('demo stream', () => {
  const h = useHarness({ prefix: '/deep/sub/path/', isolated: true });

  it('is offered on a fresh page and starts from ?demo under a sub-path, with no request off the origin', async () => {
    const offOrigin = requestsOffOrigin(h.context, h.url);
    const fresh = await openApp(h.context, h.url);
    await expect.poll(() => fresh.getByRole('button', { name: 'Start demo stream' }).count()).toBe(1);
    await fresh.close();

    const page = await openApp(h.context, `${h.url}?demo`);
    await expect.poll(() => tootsCollected(page), { timeout: 30_000 }).toBeGreaterThan(20);
    const text = await page.getByLabel('Toots collected', { exact: true }).textContent();
    expect(text).toMatch(/^\d{1,3}(,\d{3})*$/);
    await expect.poll(async () => Number((await page.getByTestId('languages').textContent())?.replace(/,/g, ''))).toBeGreaterThan(1);
    expect(offOrigin).toEqual([]);
    // DuckDB runs its single-threaded bundle, from our own assets too.
    await expect.poll(() => page.getByText('DuckDB-WASM bundle: eh').count(), { timeout: 30_000 }).toBe(1);
    await page.close();
  });

  it('never poses as a real instance, says what each count counts, and reads out values on hover (issue 17)', async () => {
    const page = await openApp(h.context, `${h.url}?demo`);
    await expect.poll(() => tootsCollected(page), { timeout: 90_000 }).toBeGreaterThan(20);

    // Every server the demo names is under the reserved .demo.invalid: the daily table's
    // "top instance collected from" …
    const topCollected = async () => {
      const daily = await readTable(card(page, 'Daily usage'));
      return daily.rows[0]?.[daily.columns.indexOf('Top instance collected from')] ?? '';
    };
    await expect.poll(topCollected, { timeout: 30_000 }).toMatch(/^mastodon\.social\.demo\.invalid \(\d+\)$/);
    // The demo row says it counts stored toots, as instance rows do, apart from what it sent; the
    // Summary says what it counts and that it ignores the chart filters.
    const demoRow = page.locator('li.row.demo');
    await expect.poll(() => demoRow.textContent()).toMatch(/[\d,]+ toots stored\s*of [\d,]+ sent/);
    expect(await page.getByTestId('summary-scope').textContent()).toMatch(/does not\s+follow the chart filters/);

    // The authors' servers in the activity chart, too (every stored field: demo-generator.test.ts).
    const svg = await chartSvg(card(page, 'Activity over time by instance'));
    const authors = async () => ((await svg.getAttribute('aria-label')) ?? '').replace(/^.*series: /, '').replace(/\.$/, '').split(', ');
    await expect.poll(async () => (await authors()).length, { timeout: 30_000 }).toBeGreaterThan(2);
    expect((await authors()).filter((a) => a !== 'other' && !a.endsWith('.demo.invalid'))).toEqual([]);

    // Hovering the activity chart (under its brush) shows a crosshair with the values there.
    const box = (await svg.boundingBox())!;
    await svg.hover({ position: { x: box.width / 2, y: 100 } });
    const readout = svg.locator('.crosshair .readout');
    await expect.poll(async () => ((await readout.count()) ? await readout.textContent() : ''), { timeout: 30_000 }).toMatch(/\.demo\.invalid: [\d.,]+/);
    await page.getByRole('heading', { name: 'Summary' }).hover();
    await expect.poll(() => svg.locator('.crosshair').count()).toBe(0);
  });
});
