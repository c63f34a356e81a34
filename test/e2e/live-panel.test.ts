import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected } from './support/app-page';

async function attr(page: Page, testid: string, name: string): Promise<number> {
  const v = await page.getByTestId(testid).getAttribute(name);
  return v === null || v === '' ? NaN : Number(v);
}

interface Figures {
  rows: number;
  saved: number;
  estimate: number;
  sigma: number;
  exact: number;
  exactToots: number;
  collected: number;
}

async function figures(page: Page): Promise<Figures> {
  return {
    rows: await attr(page, 'live-rows', 'data-rows'),
    saved: await attr(page, 'live-rows', 'data-saved-rows'),
    estimate: await attr(page, 'live-users', 'data-estimate'),
    sigma: await attr(page, 'live-users', 'data-sigma'),
    exact: await attr(page, 'live-users', 'data-exact'),
    exactToots: await attr(page, 'live-users', 'data-exact-toots'),
    collected: await tootsCollected(page),
  };
}

/** The live panel next to the demo: sketches in a worker, exact figures from DuckDB, kept across a reload. */
describe('live panel', () => {
  const h = useHarness();

  it('shows top words, users within the bound of the exact count, 20 sampled toots, and restores after a reload', async () => {
    const page = await openApp(h.context, `${h.url}?demo`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await expect.poll(() => page.getByTestId('live-words').locator('li').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
    await expect.poll(() => page.getByTestId('live-hashtags').locator('li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('live-reservoir').locator('li').count(), { timeout: 30_000 }).toBe(20);
    // Toot text is untrusted: the sample is plain text, no markup from a post becomes an element.
    expect(await page.getByTestId('live-reservoir').locator('a, img, script, iframe, b, i, span').count()).toBe(0);
    // Languages offered are the ones seen.
    expect(await page.getByTestId('live-language').locator('option').count()).toBeGreaterThan(3);

    // Plain words first (issue 18): "≈ 1,234 users, ± 0.8%", the sketches' names and formulas only on demand.
    expect((await page.getByTestId('live-users').textContent())!.replace(/\s+/g, ' ').trim()).toMatch(/^≈ [\d,]+ users, ± \d+\.\d%$/);
    expect(await page.getByTestId('live-words-plain').textContent()).toMatch(/≈ marks an estimate: it may be up to [\d,]+ too high, never too low\.|Counted exactly\./);
    expect((await page.getByTestId('live-words').textContent()) ?? '').not.toMatch(/−0…/);
    const panel = page.locator('section.live');
    for (const method of [/HyperLogLog/, /Count-Min/, /T-Digest/]) expect(await panel.getByText(method).first().isVisible()).toBe(false);
    const how = panel.locator('details', { hasText: 'HyperLogLog' });
    await how.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => how.getByText(/HyperLogLog, [\d,]+ registers/).isVisible()).toBe(true);

    await expect.poll(async () => (await figures(page)).rows, { timeout: 60_000 }).toBeGreaterThan(300);
    await page.getByRole('button', { name: 'Stop demo' }).click();

    // Wait until DuckDB has every toot and both sides have settled (exact figures lag by ≤ 1 s).
    // Settled: DuckDB's exact figures cover every collected toot, and two samples in a row agree.
    let settled: Figures | null = null;
    let previous = '';
    await expect
      .poll(
        async () => {
          const b = await figures(page);
          const now = JSON.stringify(b);
          const same = now === previous && b.exactToots === b.collected && Number.isFinite(b.exact);
          previous = now;
          settled = same ? b : null;
          return same;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(true);
    const f = settled! as Figures;
    // The sketches count every toot once; DuckDB drops deleted ones (the demo deletes ~1 %), and
    // each deleted toot can take at most one user with it. That gap is not sketch error.
    const deleted = Math.max(0, f.rows - f.exactToots);
    const diff = Math.abs(f.estimate - f.exact);
    console.log(
      `live panel: ${f.rows} toots sketched, ${f.exactToots} in DuckDB; users ≈ ${f.estimate.toFixed(1)} ± ${f.sigma.toFixed(1)} (1σ), exact ${f.exact}`,
    );
    expect(f.sigma).toBeGreaterThan(0);
    // The panel shows 1σ (68 %) and 3σ (99.7 %); a test must hold every run, so it checks 3σ.
    expect(diff).toBeLessThanOrEqual(3 * f.sigma + deleted);

    // Sketches are written every few seconds; after the stop, all of them.
    await expect.poll(async () => (await figures(page)).saved, { timeout: 20_000 }).toBe(f.rows);
    await page.reload();
    await expect.poll(() => attr(page, 'live-rows', 'data-restored-rows'), { timeout: 30_000 }).toBe(f.rows);
    const after = await attr(page, 'live-rows', 'data-rows');
    expect(after).toBeGreaterThanOrEqual(f.rows);
    await expect.poll(() => page.getByTestId('live-reservoir').locator('li').count(), { timeout: 30_000 }).toBe(20);
    expect(errors).toEqual([]);
  });
});
