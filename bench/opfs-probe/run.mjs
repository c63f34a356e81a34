// `node bench/opfs-probe/run.mjs`: would DuckDB's own database file in OPFS make the reload of
// issue 6 fast, and at what cost at rest? Needs bench/out/toots-1622149.parquet, the app export
// that `npm run bench` (at 1.6 M toots) leaves. Cuts it into row-group-sized parts with native
// DuckDB, fills opfs://probe.db as the app's reload fills its tables, then reopens it 3 times,
// with each of DuckDB-WASM's bundles. Prints JSON lines; writes nothing to docs/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { chromium } from 'playwright-core';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { startVite } from '../driver/vite.mjs';
import { OUT_DIR } from '../driver/util.mjs';

const SOURCE = path.join(OUT_DIR, 'toots-1622149.parquet');
const PARTS = path.join(OUT_DIR, 'opfs-probe');
const ROWS_PER_PART = 122_880;
if (!existsSync(SOURCE)) throw new Error(`${SOURCE} is missing: run npm run bench (1.6 M toots) first`);

mkdirSync(PARTS, { recursive: true });
const native = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
await native.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${SOURCE}') ORDER BY created_ts, uri`);
const total = Number((await (await native.run('SELECT count(*)::INTEGER AS n FROM t')).getRowObjects())[0].n);
const parts = [];
for (let off = 0; off < total; off += ROWS_PER_PART) {
  await native.run(`COPY (SELECT * FROM t LIMIT ${ROWS_PER_PART} OFFSET ${off}) TO '${path.join(PARTS, `part-${parts.length}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`);
  parts.push(Math.min(ROWS_PER_PART, total - off));
}
native.closeSync();

const { server, url } = await startVite();
for (const bundle of ['coi', 'eh']) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-opfs-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: findChromium(),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--js-flags=--max-old-space-size=8192'],
  });
  const page = await ctx.newPage();
  // The coi bundle has hung here at 100 % CPU filling the file: a step gets 3 minutes.
  const run = async (mode) => {
    await page.goto(`${url}/bench/opfs-probe/index.html?mode=${mode}&bundle=${bundle}&parts=${JSON.stringify(parts)}`);
    const timeout = new Promise((resolve) => setTimeout(() => resolve({ error: 'no answer within 180 s' }), 180_000));
    const r = await Promise.race([page.evaluate(() => window.probe), timeout]);
    console.log(JSON.stringify({ bundle, mode, ...r }));
    return r;
  };
  const built = await run('build');
  if (!built.error) for (let i = 0; i < 3; i++) await run('open');
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
}
await server.close();
