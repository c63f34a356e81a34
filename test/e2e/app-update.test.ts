import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected } from './support/app-page';
import { serveStatic } from './support/static-server';
import { DIST } from './support/global-setup';

const BANNER = 'A new version is ready; it is used from the next reload.';

/** The built site in a folder of its own (assets linked, not copied), so the test can deploy a new build over it. */
function siteCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tootscope-site-'));
  for (const name of readdirSync(DIST)) {
    if (name === 'assets') symlinkSync(path.join(DIST, name), path.join(dir, name));
    else cpSync(path.join(DIST, name), path.join(dir, name));
  }
  return dir;
}

/**
 * A new build, as a deploy would leave it: index.html changed (with its precompressed copies) and
 * the service worker's precache list naming the new revision.
 */
function deployNewBuild(dir: string): void {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8').replace('<head>', '<head><meta name="tootscope-build" content="next">');
  writeFileSync(path.join(dir, 'index.html'), html);
  writeFileSync(path.join(dir, 'index.html.br'), brotliCompressSync(html));
  writeFileSync(path.join(dir, 'index.html.gz'), gzipSync(html));
  const sw = readFileSync(path.join(dir, 'sw.js'), 'utf8');
  const next = sw.replace(/(url:"index\.html",revision:")[0-9a-f]+"/, '$1next-build"');
  expect(next).not.toBe(sw);
  writeFileSync(path.join(dir, 'sw.js'), next);
}

const registration = (page: Page) =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return { active: reg?.active?.state ?? 'none', waiting: Boolean(reg?.waiting), controlled: Boolean(navigator.serviceWorker.controller) };
  });
const isNewBuild = (page: Page) => page.evaluate(() => document.querySelector('meta[name="tootscope-build"]') !== null);

/** Issue 16: a new version is announced on the page and taken on the next load, never mid-collection. */
describe('a new version of the app', () => {
  const h = useHarness();
  const dir = siteCopy();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is announced while collecting and not applied until the next reload', async () => {
    const site = await serveStatic(dir, { prefix: '/' });
    try {
      // First visit installs the service worker; the second is controlled by it and collects.
      const first = await openApp(h.context, site.url);
      await expect.poll(() => registration(first).then((r) => r.active), { timeout: 90_000 }).toBe('activated');
      await first.close();
      const page = await openApp(h.context, `${site.url}?demo`);
      await expect.poll(() => tootsCollected(page), { timeout: 60_000 }).toBeGreaterThan(20);
      expect(await registration(page)).toEqual({ active: 'activated', waiting: false, controlled: true });
      let navigations = 0;
      page.on('framenavigated', (f) => f === page.mainFrame() && navigations++);
      deployNewBuild(dir);
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      await expect.poll(() => page.getByText(BANNER).count(), { timeout: 60_000 }).toBe(1);
      // Announced, not applied: the new version waits, and this page keeps its code and collects on.
      expect(await registration(page)).toEqual({ active: 'activated', waiting: true, controlled: true });
      const counted = await tootsCollected(page);
      await expect.poll(() => tootsCollected(page), { timeout: 30_000 }).toBeGreaterThan(counted);
      expect(await isNewBuild(page)).toBe(false);
      expect(navigations).toBe(0);
      // A second tab opening meanwhile gets the new page, and the first keeps its worker and files.
      const other = await openApp(h.context, site.url);
      await expect.poll(() => isNewBuild(other), { timeout: 30_000 }).toBe(true);
      expect(await registration(page)).toEqual({ active: 'activated', waiting: true, controlled: true });
      await expect.poll(() => tootsCollected(page), { timeout: 30_000 }).toBeGreaterThan(await tootsCollected(page));
      expect(navigations).toBe(0);
      await other.close();

      // The next reload runs the new version.
      await page.reload();
      await expect.poll(() => isNewBuild(page).catch(() => false), { timeout: 30_000 }).toBe(true);
      await expect.poll(() => tootsCollected(page), { timeout: 60_000 }).toBeGreaterThan(0);
      expect(await page.getByText(BANNER).count()).toBe(0);
    } finally {
      await site.close();
    }
  });
});
