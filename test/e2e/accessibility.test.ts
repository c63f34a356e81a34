import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { addInstance, openApp, row, tootsCollected } from './support/app-page';
import { idbValue } from './support/idb';

const require = createRequire(import.meta.url);
/** axe-core's source, evaluated in the page (its documented way for any driver): no wrapper package needed. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the driver: the page's CSP (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Elements wider than the viewport (what makes a phone scroll sideways), by a short selector. */
async function overflow(page: Page): Promise<{ scrollWidth: number; width: number; wide: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) {
        // Inside a box that scrolls on its own, an element may be wider: that box is what counts.
        let p = el.parentElement;
        let contained = false;
        while (p && p !== document.body) {
          const s = getComputedStyle(p);
          if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') && p.getBoundingClientRect().right <= width + 1) {
            contained = true;
            break;
          }
          p = p.parentElement;
        }
        if (!contained) wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (${Math.round(r.right)} px)`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8) };
  });
}

/** Issue 18: a page with data, at a desktop and a phone size, checked by axe-core and for sideways scrolling. */
describe('accessibility and small screens', () => {
  const h = useHarness({ fakes: { masto: { domain: 'a11y.test', cacheSeconds: 1, heartbeatMs: 1000, seed: 91, users: 2_000 } } });

  const sizes = [
    ['desktop', { width: 1366, height: 900 }],
    ['phone', { width: 390, height: 844 }],
    ['small phone', { width: 360, height: 740 }],
  ] as const;
  for (const [name, viewport] of sizes) {
    it(`has no serious or critical axe-core violation and no sideways scrolling (${name}, ${viewport.width} px)`, async () => {
      const page = await openApp(h.context, `${h.url}?demo`);
      try {
      await page.setViewportSize(viewport);
      await expect.poll(() => tootsCollected(page), { timeout: 60_000 }).toBeGreaterThan(50);
      await expect.poll(() => page.locator('article.chart-card svg.chart').count(), { timeout: 60_000 }).toBeGreaterThan(3);
      await page.getByRole('button', { name: 'Stop demo' }).click({ timeout: 10_000 });
      // Toots are there and nothing collects: the bar says so, not "no source yet".
      await expect.poll(() => page.getByTestId('nav-status').textContent()).toMatch(/^\d[\d,]* toots · no source running$/);
      await expect.poll(() => page.locator('article.chart-card[aria-busy="true"]').count(), { timeout: 30_000 }).toBe(0);
      await page.screenshot({ path: `/tmp/a11y/${name.replace(' ', '-')}.png`, fullPage: true }).catch(() => undefined);
      expect(await seriousViolations(page), 'with the demo').toEqual([]);
      const o = await overflow(page);
      expect(o.wide, `page ${o.scrollWidth} px wide in a ${o.width} px viewport`).toEqual([]);
      // The demo's handles are random, so a long one shows only now and then: put one in the sample on purpose.
      await page.evaluate(() => {
        const li = document.querySelector('[data-testid="live-reservoir"] li');
        if (!li) throw new Error('the random sample shows no toot');
        const copy = li.cloneNode(true) as HTMLElement;
        copy.dataset.probe = 'long-handle';
        copy.querySelector('.meta')!.textContent = `${'a'.repeat(30)}@${'b'.repeat(40)}.demo.invalid · English · via ${'c'.repeat(50)}.demo.invalid`;
        li.parentElement!.prepend(copy);
      });
      const withLong = await overflow(page);
      await page.evaluate(() => document.querySelector('[data-probe="long-handle"]')?.remove());
      expect(withLong.wide, 'a sampled toot with a long handle').toEqual([]);
      // An instance row following two feeds (issue 19): each feed's line, the token and feed controls.
      const { masto } = h.fakes;
      await addInstance(page, masto.webUrl);
      const r = row(page, new URL(masto.webUrl).host);
      await r.getByLabel('Hashtag').fill('rust');
      await r.getByRole('button', { name: 'Follow', exact: true }).click();
      await expect.poll(() => r.getByTestId('feed-state').allTextContents(), { timeout: 60_000 }).toEqual([expect.stringMatching(/^polling/), expect.stringMatching(/^polling/)]);
      expect(await seriousViolations(page), 'with an instance row').toEqual([]);
      const withRow = await overflow(page);
      expect(withRow.wide, 'an instance row of two feeds').toEqual([]);
      await r.getByRole('button', { name: 'Remove' }).click();
      // The removal is saved asynchronously: closing the page before it lands would hand the next
      // size's page this instance, live.
      await expect.poll(() => idbValue(page, 'tootscope-settings', 'settings', 'instances')).toEqual([]);
      } finally {
        // The next size's page must be the collecting tab, not a viewer of this one.
        await page.close();
      }
    });
  }

  it('offers a skip link and a section bar that stays in sight, and the keyboard reaches the SQL editor in a few steps', async () => {
    const page = await openApp(h.context, h.url);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => page.getByRole('button', { name: 'Run', exact: true }).isEnabled(), { timeout: 60_000 }).toBe(true);
      const focused = () => page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el ? `${el.tagName.toLowerCase()}|${el.getAttribute('aria-label') ?? ''}|${(el.textContent ?? '').trim().slice(0, 40)}` : '';
      });
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('a||Skip to content');
      // Tab to the section bar's SQL link, follow it, then Tab to the editor: count the keys.
      let keys = 1;
      while (!(await focused()).startsWith('a||SQL') && keys < 20) {
        await page.keyboard.press('Tab');
        keys++;
      }
      expect(await focused(), 'the section bar has a SQL link within 20 Tab presses').toMatch(/^a\|\|SQL/);
      await page.keyboard.press('Enter');
      // The fragment navigation reaches page.url() asynchronously; on a busy machine it came after
      // the key press had returned, so read the page's own location until it moves.
      await expect.poll(() => page.evaluate(() => location.hash)).toBe('#sql-h');
      while (!(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'SQL' || !!document.activeElement?.closest('.cm-editor'))) && keys < 40) {
        await page.keyboard.press('Tab');
        keys++;
      }
      expect(keys, 'Tab and Enter presses from the top to the SQL editor').toBeLessThan(20);
      // Far down the page, the bar (with the collection's state) is still at the top of the screen.
      const bar = page.getByRole('navigation', { name: 'Sections' });
      expect(Math.round((await bar.boundingBox())!.y)).toBe(0);
      // This profile kept the toots the tests above collected, and nothing collects now.
      const status = (await page.getByTestId('nav-status').textContent()) ?? '';
      expect(status).toMatch(/^0 toots · no source yet$|^[1-9][\d,]* toots · no source running$/);
      // The bar is the page's table of contents: every section, in the page's order.
      const sections = await page.evaluate(() => [...document.querySelectorAll('section[aria-labelledby]')].map((s) => `#${s.getAttribute('aria-labelledby')}`));
      expect(await bar.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(sections);
    } finally {
      await page.close();
    }
  });
});
