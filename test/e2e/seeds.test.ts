import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected } from './support/app-page';

/**
 * The seeds' analyses on the page (issue 17), with the demo: the Bytewax post's view under the live
 * panel (top words, a lookup, the simple random sample), the blog's languages chart one click
 * away, and local time in the SQL console.
 */
describe('the seeds’ analyses', () => {
  const h = useHarness();

  it('shows the Bytewax post’s words, looks a word up, samples; the blog’s chart says so; the console has created_local', async () => {
    const page = await openApp(h.context, `${h.url}?demo`);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.locator('#demo-rate').selectOption('100');

    const seed = page.getByTestId('seed-panel');
    await seed.locator('summary').click();
    await expect.poll(() => seed.getByTestId('seed-words').locator('li').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    const word = (await seed.getByTestId('seed-words').locator('li .key').first().textContent())!;
    await seed.getByTestId('seed-lookup').fill(word.toUpperCase());
    await expect
      .poll(() => seed.getByTestId('seed-lookup-result').textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`“${word}”: estimated [\\d,  ]+ in English toots; the true count is between`));
    await expect.poll(() => seed.getByTestId('seed-sample').locator('li').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    // Untrusted text: no markup from a post becomes an element.
    expect(await seed.getByTestId('seed-sample').locator('a, img, script, iframe, b, i, span').count()).toBe(0);

    const languages = page.locator('article', { has: page.locator('#chart-languages-h') });
    await languages.getByLabel('As the blog (no “unknown”)').check();
    await expect.poll(() => languages.textContent(), { timeout: 10_000 }).toContain('As the blog drew it: untagged posts (“unknown”) left out');

    await page.getByRole('button', { name: 'Stop demo' }).click();
    const schema = page.getByTestId('sql-schema');
    await schema.locator('summary').first().click();
    await expect.poll(() => page.getByTestId('sql-local-time').textContent()).toContain('toots_local.created_local');
    const editor = page.getByRole('textbox', { name: 'SQL' });
    await editor.fill(
      'SELECT count(*) AS n, count(created_local) AS local, count(*) FILTER (WHERE created_local = local_time(created_ts)) AS same FROM toots_local');
    await editor.press('Control+Enter');
    const cells = () => page.getByRole('region', { name: 'Query result' }).locator('tbody td').allTextContents();
    // Every toot has a local time, the view's and the macro's agree, and there are toots.
    await expect.poll(async () => (await cells()).slice(-3), { timeout: 60_000 }).toSatisfy(
      (c: string[]) => c.length === 3 && c[0] === c[1] && c[1] === c[2] && Number(c[0]!.replace(/\D/g, '')) > 0);
    // The summary follows the table within its refresh (once a second, after a merge): toots
    // collected before DuckDB was up are merged once it is, so it may trail the console briefly.
    await expect.poll(() => tootsCollected(page), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
