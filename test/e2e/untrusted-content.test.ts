import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, waitForCount } from './support/app-page';
import { XSS_CORPUS } from './support/xss-corpus';
import { card, chartSvg, download } from './support/charts-page';

/** Issue 3 § Running nothing from a stranger: hostile toots are shown, and nothing runs. */
describe('untrusted content', () => {
  const h = useHarness({ fakes: { fake: { domain: 'evil.test', liveFeeds: 'public', cacheSeconds: 1, seed: 13 } } });
  it('stores and charts the XSS corpus without running any of it', async () => {
    const fake = h.fakes.fake;
    for (const [i, evil] of XSS_CORPUS.entries()) {
      const base = fake.publish();
      fake.edit(base.id, {
        content: `<p>${evil}</p>`,
        spoiler_text: evil,
        language: 'en',
        application: { name: evil, website: null },
        tags: [{ name: `tag${i}${evil}` }],
        account: { ...base.account, display_name: evil, username: `u${i}${evil}`.slice(0, 60), acct: `u${i}` },
        card: { title: evil, url: `javascript:window.__xss=1` },
      });
    }
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    const violations: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    await waitForCount(page, XSS_CORPUS.length);
    // Every panel has drawn what it got: the apps chart shows the hostile names (as text), and no
    // chart is still refreshing.
    await page.getByText('Client apps', { exact: true }).first().waitFor();
    const apps = card(page, 'Client apps');
    await expect.poll(async () => (await (await chartSvg(apps)).textContent()) ?? '', { timeout: 30_000 }).toMatch(/<(script|img|svg)/);
    await expect.poll(() => page.locator('article.chart-card[aria-busy="true"]').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? 0)).toBe(0);
    const html = await page.content();
    expect(html).not.toMatch(/<img src="?x"? onerror/i);
    expect(html).not.toMatch(/<script>window\.__xss/);
    // The hostile strings are on the page as text (escaped), not dropped.
    expect(html).toContain('&lt;script&gt;window.__xss');
    expect(violations).toEqual([]);
  });

  it('downloads a chart of hostile app names as well-formed SVG with the names as text, and as a PNG', async () => {
    const fake = h.fakes.fake;
    // Control characters and a lone surrogate are not allowed in XML at all; the rest is text to keep.
    const long = `${'\u202Eevil\u200B\u200D👩‍👩‍👧‍👦ש'.repeat(400)}`.slice(0, 5000);
    const names = ['</text><script>window.__xss=1</script>', '"><img src=x onerror=window.__xss=1>', `ctl\u0001\u0008\u000B\uFFFE\uD800end`, long];
    for (const name of names) {
      // Three posts each, so these are the top apps.
      for (let k = 0; k < 3; k++) fake.edit(fake.publish().id, { application: { name, website: null } });
    }
    // One tab, so this one collects.
    for (const p of h.context.pages()) await p.close();
    const page = await openApp(h.context, `${h.url}?instances=${fake.webUrl}`);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await waitForCount(page, XSS_CORPUS.length + names.length * 3);
    const apps = card(page, 'Client apps');
    const svg = await chartSvg(apps);
    await expect.poll(() => svg.locator('text').allTextContents(), { timeout: 20_000 }).toContainEqual(expect.stringContaining('</text><script>'));

    const file = await download(page, () => apps.getByRole('button', { name: 'Download Client apps as SVG' }).click());
    const parsed = await page.evaluate((src) => {
      const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
      return {
        error: doc.getElementsByTagName('parsererror').length,
        root: doc.documentElement.localName,
        injected: doc.querySelectorAll('script, img, foreignObject, [onerror], [onload]').length,
        text: doc.documentElement.textContent ?? '',
      };
    }, file.bytes.toString('utf8'));
    expect(parsed).toMatchObject({ error: 0, root: 'svg', injected: 0 });
    expect(parsed.text).toContain('</text><script>');
    expect(parsed.text).toContain('"><img src=x');
    expect(parsed.text).toContain('\u202Eevil\u200B');
    // What XML cannot hold is replaced, visibly; the rest of that name is kept.
    expect(parsed.text).toContain('ctl\uFFFD');

    const png = await download(page, () => apps.getByRole('button', { name: 'Download Client apps as PNG' }).click());
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await apps.getByText(/Download failed/).count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? 0)).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
