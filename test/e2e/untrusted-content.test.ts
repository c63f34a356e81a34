import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, waitForCount } from './support/app-page';
import { XSS_CORPUS } from './support/xss-corpus';

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
    // Let every panel draw what it got (they refresh at most once a second).
    await page.waitForTimeout(3000);
    await page.getByText('Client apps', { exact: true }).first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? 0)).toBe(0);
    const html = await page.content();
    expect(html).not.toMatch(/<img src="?x"? onerror/i);
    expect(html).not.toMatch(/<script>window\.__xss/);
    // The hostile strings are on the page as text (escaped), not dropped.
    expect(html).toContain('&lt;script&gt;window.__xss');
    expect(violations).toEqual([]);
  });
});
