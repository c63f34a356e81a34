// `node bench/storage-probe/wal-run.mjs [modes, default a,b,c] [--rmwal] [--fill=N]`: wal-probe.ts
// in headless Chromium on Vite's dev server, one page load per mode on one fresh profile (each a
// new DuckDB worker). Prints a JSON line per mode, and the worker's console.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { startVite } from '../driver/vite.mjs';

const { server, url } = await startVite();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-wal-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: findChromium(),
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await ctx.newPage();
  page.on('console', (m) => (m.type() === 'error' ? console.log(`page: ${m.text()}`) : undefined));
  page.on('worker', (w) => w.on('console', (m) => console.log(`worker: ${m.text()}`)));
  for (const mode of (process.argv[2] ?? 'a,b,c').split(',')) {
    await page.goto(`${url}/bench/storage-probe/wal.html?mode=${mode}${process.argv.includes('--rmwal') ? '&rmwal' : ''}${process.argv.find((a) => a.startsWith('--fill=')) ? `&fill=${process.argv.find((a) => a.startsWith('--fill=')).slice(7)}` : ''}`);
    const r = await Promise.race([page.evaluate(() => window.probe), new Promise((res) => setTimeout(() => res({ error: 'no answer in 120 s' }), 120_000))]);
    console.log(JSON.stringify({ mode, ...r }));
  }
} finally {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
  await server.close();
}
