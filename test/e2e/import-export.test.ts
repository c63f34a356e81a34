import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { startFakeMastodon, type FakeMastodon } from '../fake-mastodon';
import { nativeQuery } from '../unit/helpers/native-duckdb';
import { DIST } from './support/global-setup';
import { serveStatic } from './support/static-server';
import { launchBrowser } from './support/browser';
import { openApp, tootsCollected, waitForCount, waitForRowState } from './support/app-page';

/**
 * Issue 6's proof in the browser: collect from a fake instance, Export Hive zip and read the
 * unzipped tree with native DuckDB (counts per date × instance equal the ground truth); then a
 * fresh browser profile imports the one-file Parquet export through the file input and shows the
 * same count; importing again (file or URL) changes nothing; a reload keeps the imported toots.
 */
describe('Hive export and Parquet import', () => {
  let alpha: FakeMastodon;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let fresh: Awaited<ReturnType<typeof launchBrowser>> | null = null;
  let files: Server;
  let filesUrl = '';
  let page: Page;
  let parquetFile = '';
  let collected = 0;
  const work = mkdtempSync(path.join(tmpdir(), 'tootscope-hive-e2e-'));

  beforeAll(async () => {
    alpha = await startFakeMastodon({ domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 66 });
    site = await serveStatic(DIST, { prefix: '/tootscope/', isolated: true });
    browser = await launchBrowser();
    // Another origin serving the exported file: /cors/… with Access-Control-Allow-Origin, /plain/… without.
    files = createServer((req, res) => {
      const cors = req.url?.startsWith('/cors/');
      if (!parquetFile || !(cors || req.url?.startsWith('/plain/'))) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/vnd.apache.parquet', ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}) });
      res.end(readFileSync(parquetFile));
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await fresh?.close();
    await browser?.close();
    await site?.close();
    await alpha?.close();
    await new Promise((r) => files?.close(r));
  });

  const expectedUris = () => new Set(alpha.groundTruth().published.map((s) => s.uri));

  it('collects from a fake instance', async () => {
    for (let i = 0; i < 40; i++) alpha.publish();
    page = await openApp(browser.context, `${site.url}?instances=${alpha.webUrl}`);
    await waitForRowState(page, new URL(alpha.webUrl).host, /^polling/);
    for (let i = 0; i < 15; i++) alpha.publish();
    await waitForCount(page, expectedUris().size);
    collected = await tootsCollected(page);
    expect(collected).toBe(55);
  });

  it('exports a Hive zip that native DuckDB reads with the same counts per date and instance', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export Hive zip' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tootscope-hive-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.zip$/);
    const zipPath = path.join(work, download.suggestedFilename());
    await download.saveAs(zipPath);
    await expect.poll(() => page.getByTestId('import-export-result').textContent()).toMatch(/^Exported 55 toots/);

    const tree = path.join(work, 'export');
    const entries = unzipSync(readFileSync(zipPath));
    // Beside the tree, each instance's server software.
    const instances = JSON.parse(new TextDecoder().decode(entries['instances.json'])) as Array<{ base_url: string; software: string }>;
    expect(instances.find((i) => i.base_url === alpha.webUrl)?.software).toBe('mastodon');
    delete entries['instances.json'];
    for (const [name, bytes] of Object.entries(entries)) {
      expect(name).toMatch(/^date=\d{4}-\d{2}-\d{2}\/instance=[A-Za-z0-9._%-]+\/part-\d+\.parquet$/);
      mkdirSync(path.dirname(path.join(tree, name)), { recursive: true });
      writeFileSync(path.join(tree, name), bytes);
    }
    // By date and the instance collected from: every post here came from alpha.
    const expected = new Map<string, number>();
    for (const s of alpha.groundTruth().published) {
      const k = `${new Date(s.created_at).toISOString().slice(0, 10)}|${new URL(alpha.webUrl).host}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    const counts = await nativeQuery<{ k: string; n: string }>(
      `SELECT strftime(date, '%Y-%m-%d') || '|' || instance AS k, count(*) AS n
       FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true) GROUP BY ALL`,
    );
    expect(new Map(counts.map((c) => [c.k, Number(c.n)]))).toEqual(expected);
    expect(Object.keys(entries)).toHaveLength(expected.size);
    const uris = await nativeQuery<{ uri: string }>(`SELECT uri FROM read_parquet('${tree}/**/*.parquet', hive_partitioning = true)`);
    expect(uris).toHaveLength(55);
    expect(new Set(uris.map((u) => u.uri))).toEqual(expectedUris());
  });

  it('a fresh profile imports the one-file Parquet export through the file input: the same count, once', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export Parquet' }).click()]);
    parquetFile = path.join(work, download.suggestedFilename());
    await download.saveAs(parquetFile);

    fresh = await launchBrowser();
    const other = await openApp(fresh.context, site.url);
    await expect.poll(() => other.getByRole('button', { name: 'Import Parquet' }).isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await tootsCollected(other)).toBe(0);

    const input = other.getByLabel('Parquet files to import');
    await input.setInputFiles(parquetFile);
    await waitForCount(other, collected);
    const result = other.getByTestId('import-export-result');
    await expect.poll(() => result.textContent()).toMatch(/^Imported 55 rows from tootscope-.*\.parquet \(Tootscope columns\): 55 new toots/);

    // Again: nothing doubles.
    await input.setInputFiles(parquetFile);
    await expect.poll(() => result.textContent()).toMatch(/: 0 new toots, the rest were already here\.$/);
    expect(await tootsCollected(other)).toBe(collected);

    // By URL: refused without CORS, with a clear message; accepted with it (and still once).
    await other.getByLabel('Parquet URL').fill(`${filesUrl}/plain/toots.parquet`);
    await other.getByRole('button', { name: 'Import URL' }).click();
    await expect.poll(() => other.locator('section.import-export').getByRole('alert').textContent()).toMatch(/does not let other sites read the file/);
    await other.getByLabel('Parquet URL').fill(`${filesUrl}/cors/toots.parquet`);
    await other.getByRole('button', { name: 'Import URL' }).click();
    await expect.poll(() => result.textContent()).toMatch(/^Imported 55 rows from toots\.parquet .*: 0 new toots/);
    expect(await other.locator('section.import-export').getByRole('alert').count()).toBe(0);

    // Imports are stored batches: a reload replays them.
    await other.reload();
    await waitForCount(other, collected);
    expect(await tootsCollected(other)).toBe(collected);
  });
});
