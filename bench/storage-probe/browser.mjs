// `node bench/storage-probe/browser.mjs`: attach-probe.ts in headless Chromium on Vite's dev server,
// a write and then a read after a reload, on one fresh profile. Prints JSON lines.
import { answer, withProbePages } from './probe-pages.mjs';

await withProbePages(async (page, url) => {
  // With the file registered first (duckdb-wasm's documented way), and with only fileHandling 'auto'.
  const register = process.argv.includes('--register') ? '&register' : '';
  const modes = process.argv.includes('--seed') ? ['seed', 'reopen', 'reopen'] : ['write', 'read', 'read'];
  for (const mode of modes) {
    await page.goto(`${url}/bench/storage-probe/index.html?mode=${mode}${register}`);
    console.log(JSON.stringify({ mode, ...(await answer(page, 180)) }));
  }
});
