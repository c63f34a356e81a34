// `node bench/storage-probe/browser.mjs`: attach-probe.ts in headless Chromium on Vite's dev server,
// a write and then a read after a reload, on one fresh profile. Prints JSON lines.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { startVite } from '../driver/vite.mjs';

const { server, url } = await startVite();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-attach-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: findChromium(),
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await ctx.newPage();
  page.on('console', (m) => (m.type() === 'error' ? console.log(`page: ${m.text()}`) : undefined));
  // With the file registered first (duckdb-wasm's documented way), and with only fileHandling 'auto'.
  const register = process.argv.includes('--register') ? '&register' : '';
  const modes = process.argv.includes('--seed') ? ['seed', 'reopen', 'reopen'] : ['write', 'read', 'read'];
  for (const mode of modes) {
    await page.goto(`${url}/bench/storage-probe/index.html?mode=${mode}${register}`);
    const r = await Promise.race([page.evaluate(() => window.probe), new Promise((res) => setTimeout(() => res({ error: 'no answer in 180 s' }), 180_000))]);
    console.log(JSON.stringify({ mode, ...r }));
  }
} finally {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
  await server.close();
}
