import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST } from './support/global-setup';
import { serveStatic } from './support/static-server';
import { launchBrowser } from './support/browser';
import { killBrowser } from './support/kill-browser';
import { openApp, waitForCount } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { BUCKET, S3_KEY, startS3, type S3TestServer } from '../unit/helpers/s3-server';
import { IMPORTED, bucketState, configureSink, importFile, manifestUris } from './support/bucket';

/**
 * Issue 20: the browser dies (SIGKILL) while the sink uploads a segment's objects, and again while
 * it writes the manifest that would name a second import's objects. No manifest names an object
 * before it is in, and a manifest is replaced whole or not at all, so a reader finds nothing
 * half-done; after each relaunch the sink resumes from what IndexedDB kept, and the bucket ends
 * holding exactly what the manifest names, which is every toot of the page, once.
 */
describe('archive to an S3 bucket through a crash', () => {
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let s3: S3TestServer;
  let file = '';
  const profile = mkdtempSync(path.join(tmpdir(), 'tootscope-sink-kill-'));

  beforeAll(async () => {
    site = await serveStatic(DIST, { prefix: '/', isolated: false });
    s3 = await startS3({ origins: [new URL(site.url).origin] });
    file = await importFile(121);
  });
  afterAll(async () => {
    await site?.close();
    await s3?.close();
  });

  it('resumes after a kill mid-upload and one mid-manifest-update, and ends equal to the page', { timeout: 480_000 }, async () => {
    let browser = await launchBrowser({ userDataDir: profile });
    try {
      let page = await openApp(browser.context, site.url);
      await configureSink(page.locator('section.sink'), { endpoint: s3.endpoint, bucket: BUCKET, prefix: 'crash', keyId: S3_KEY.accessKeyId, secret: S3_KEY.secretAccessKey });
      const importButton = page.getByRole('button', { name: 'Import Parquet' });
      await expect.poll(() => importButton.isEnabled(), { timeout: 60_000 }).toBe(true);
      // Three objects arrive, the rest never get an answer: the tab is killed while they wait.
      s3.holdPutsAfter(3);
      await page.getByLabel('Parquet files to import').setInputFiles(file);
      await waitForCount(page, IMPORTED, 120_000);
      await expect.poll(() => s3.held, { timeout: 120_000 }).toBeGreaterThan(0);
      await killBrowser(profile);
      await browser.close().catch(() => undefined);
      s3.dropHeld();
      const before = await s3.list('crash/');
      expect(before.length).toBe(3);
      expect(before.some((k) => k.endsWith('/manifest.json'))).toBe(false);

      browser = await launchBrowser({ userDataDir: profile });
      page = await openApp(browser.context, site.url);
      const sink = page.locator('section.sink');
      await expect.poll(() => sink.getByTestId('sink-status').textContent(), { timeout: 120_000 }).toMatch(/in the bucket: [1-9]\d* objects.*behind: 0 segments \(0 B\)\s*$/s);
      const { keys, manifestKey, manifest } = await bucketState(s3, 'crash');
      // Nothing left over from before the kill: the bucket holds what the manifest names.
      expect(keys).toEqual([...manifest.objects.map((o) => o.key), manifestKey].sort());
      const bucketUris = await manifestUris(s3, manifest);
      const pageUris = (await queryViaConsole(page, 'SELECT uri FROM toots')).rows.map((r) => r[0]!);
      expect(pageUris.length).toBe(IMPORTED);
      expect(bucketUris.length).toBe(IMPORTED);
      expect(new Set(bucketUris)).toEqual(new Set(pageUris));

      // Killed again, now mid-manifest-update: a second import's objects go in, and the manifest
      // that would name them gets no answer. The manifest before still stands, untouched: a
      // reader following it sees the bucket as it was, nothing half-done.
      const importAgain = page.getByRole('button', { name: 'Import Parquet' });
      await expect.poll(() => importAgain.isEnabled(), { timeout: 60_000 }).toBe(true);
      s3.holdPuts((p) => p.endsWith('/manifest.json'));
      await page.getByLabel('Parquet files to import').setInputFiles(await importFile(122));
      await expect.poll(() => s3.held, { timeout: 120_000 }).toBeGreaterThan(0);
      await killBrowser(profile);
      await browser.close().catch(() => undefined);
      s3.dropHeld();
      const mid = await bucketState(s3, 'crash');
      expect(mid.manifestKey).toBe(manifestKey);
      expect(mid.manifest).toEqual(manifest);
      expect(mid.keys.length).toBeGreaterThan(keys.length);

      browser = await launchBrowser({ userDataDir: profile });
      page = await openApp(browser.context, site.url);
      // The objects it had in were counted before (the status read "behind: 0" from the start):
      // wait for the manifest that names them, then for nothing to be behind or under way.
      await expect.poll(async () => (await bucketState(s3, 'crash')).manifest.upToSeq, { timeout: 120_000 }).toBeGreaterThan(manifest.upToSeq);
      await expect.poll(() => page.locator('section.sink').getByTestId('sink-status').textContent(), { timeout: 120_000 }).toMatch(/behind: 0 segments \(0 B\)\s*$/);
      const end = await bucketState(s3, 'crash');
      expect(end.keys).toEqual([...end.manifest.objects.map((o) => o.key), end.manifestKey].sort());
      const endBucket = await manifestUris(s3, end.manifest);
      const endPage = (await queryViaConsole(page, 'SELECT uri FROM toots')).rows.map((r) => r[0]!);
      expect(endPage.length).toBeGreaterThan(IMPORTED);
      expect(endBucket.length).toBe(endPage.length);
      expect(new Set(endBucket)).toEqual(new Set(endPage));
    } finally {
      await browser.close().catch(() => undefined);
    }
  });
});
