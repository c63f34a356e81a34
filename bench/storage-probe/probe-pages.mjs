// One fresh Chromium profile on Vite's dev server for the storage probes: `run(page, url)` loads
// a probe page as often as it likes; `answer(page)` waits for the page's `window.probe`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { startVite } from '../driver/vite.mjs';

export async function withProbePages(run) {
  const { server, url } = await startVite();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-probe-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: findChromium(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await ctx.newPage();
    page.on('console', (m) => (m.type() === 'error' ? console.log(`page: ${m.text()}`) : undefined));
    await run(page, url);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
}

export function answer(page, seconds) {
  return Promise.race([page.evaluate(() => window.probe), new Promise((res) => setTimeout(() => res({ error: `no answer in ${seconds} s` }), seconds * 1000))]);
}
