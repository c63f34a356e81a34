// `node bench/storage-probe/wal-run.mjs [modes, default a,b,c] [--rmwal] [--fill=N] [--commits=N]`: wal-probe.ts
// in headless Chromium on Vite's dev server, one page load per mode on one fresh profile (each a
// new DuckDB worker). Prints a JSON line per mode, and the worker's console.
import { answer, withProbePages } from './probe-pages.mjs';

const fill = process.argv.find((a) => a.startsWith('--fill='))?.slice('--fill='.length);
const commits = process.argv.find((a) => a.startsWith('--commits='))?.slice('--commits='.length);
const query = `${process.argv.includes('--rmwal') ? '&rmwal' : ''}${fill === undefined ? '' : `&fill=${fill}`}${commits === undefined ? '' : `&commits=${commits}`}`;
await withProbePages(async (page, url) => {
  page.on('worker', (w) => w.on('console', (m) => console.log(`worker: ${m.text()}`)));
  for (const mode of (process.argv[2] ?? 'a,b,c').split(',')) {
    await page.goto(`${url}/bench/storage-probe/wal.html?mode=${mode}${query}`);
    console.log(JSON.stringify({ mode, ...(await answer(page, 120)) }));
  }
});
