import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { findChromium } from '../../../scripts/find-chromium.mjs';

/**
 * Debian's Chromium with the flags that work on these machines, and a fresh profile; or the
 * given `userDataDir`, which outlives the browser (a relaunch finds its IndexedDB again).
 */
export async function launchBrowser(opts: { serviceWorkers?: 'allow' | 'block'; userDataDir?: string; locale?: string } = {}): Promise<{ browser: Browser | BrowserContext; context: BrowserContext; userDataDir: string; close(): Promise<void> }> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found: set CHROME_PATH or install Debian\'s "chromium" package');
  const userDataDir = opts.userDataDir ?? mkdtempSync(path.join(tmpdir(), 'tootscope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    acceptDownloads: true,
    serviceWorkers: opts.serviceWorkers ?? 'allow',
    ...(opts.locale ? { locale: opts.locale } : {}),
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser: context,
    context,
    userDataDir,
    async close() {
      await context.close();
      if (!opts.userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
