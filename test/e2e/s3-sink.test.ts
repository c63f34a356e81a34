import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { BUCKET, S3_KEY, startS3, type S3TestServer } from '../unit/helpers/s3-server';
import { generatedToots } from '../unit/helpers/generated-toots';
import { codec } from '../unit/helpers/local-data';
import { nativeQuery } from '../unit/helpers/native-duckdb';
import { tootsToIPC } from '../../src/core/arrow-batch';
import type { BucketManifest } from '../../src/store/sink/uploader';

/** 50,000 rows reach the compaction threshold at once, so one import stands in for minutes of collection. */
const IMPORTED = 50_000;
const WRONG_SECRET = 'wrong-secret-0f9e8d7c6b5a';
const WRONG_KEY_ID = 'AKIAWRONGKEY00000000';

/**
 * Issue 20 in the browser: the page archives into a real S3-compatible server (s3rver) on
 * 127.0.0.1 whose bucket's CORS rule allows the page's origin. A wrong key pauses the sink with a
 * message while collection goes on; the right key uploads the compacted segment, and native
 * DuckDB reading every object the bucket's manifest names finds exactly the page's toots, once.
 */
describe('archive to an S3 bucket', () => {
  const h = useHarness({ fakes: { alpha: { domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 20 } } });
  let s3: S3TestServer;
  let importFile = '';

  beforeAll(async () => {
    s3 = await startS3({ origins: [new URL(h.url).origin] });
    // From four servers, not the demo's hundreds: one object per day and server, and a dozen
    // uploads keep the test short where a thousand would not.
    const HOSTS = ['a.example', 'b.example', 'c.example', '127.0.0.1:8080'];
    const rows = generatedToots(IMPORTED, 120).map((r, i) => ({ ...r, from_instance: HOSTS[i % 4]!, acct: `${r.username}@${HOSTS[i % 4]}` }));
    const ipcs = [];
    for (let i = 0; i < rows.length; i += 10_000) ipcs.push(tootsToIPC(rows.slice(i, i + 10_000)));
    importFile = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-sink-e2e-')), 'import.parquet');
    // One file per 10k rows would be several imports; one IPC stream per file keeps it to one.
    writeFileSync(importFile, await codec.write(tootsToIPC(rows)));
  });
  afterAll(() => s3?.close());

  it('uploads what compaction stores; a wrong key is a message on the row and collection goes on', { timeout: 240_000 }, async () => {
    const alpha = h.fakes.alpha;
    for (let i = 0; i < 30; i++) alpha.publish();
    const page = await openApp(h.context, `${h.url}?instances=${alpha.webUrl}`);
    await waitForRowState(page, new URL(alpha.webUrl).host, /^polling/);
    await waitForCount(page, 30);

    const sink = page.locator('section.sink');
    await sink.getByLabel('Endpoint').fill(s3.endpoint);
    await sink.getByLabel('Bucket').fill(BUCKET);
    await sink.getByLabel('Folder').fill('tootscope');
    await sink.getByLabel('Access key id').fill(WRONG_KEY_ID);
    await sink.getByLabel('Secret access key').fill(WRONG_SECRET);
    await sink.getByRole('button', { name: 'Save and start' }).click();
    await expect.poll(() => sink.getByTestId('sink-destination').textContent()).toBe(`${s3.endpoint}/${BUCKET}/tootscope`);

    const importButton = page.getByRole('button', { name: 'Import Parquet' });
    await expect.poll(() => importButton.isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByLabel('Parquet files to import').setInputFiles(importFile);
    await waitForCount(page, IMPORTED + 30, 120_000);
    // The compaction after the import stores a segment; the sink tries it and is refused.
    await expect
      .poll(() => sink.getByTestId('sink-error').textContent().catch(() => ''), { timeout: 120_000 })
      .toMatch(/^The bucket refused the access key \(403 InvalidAccessKeyId\): check the key id and its secret\. Nothing is lost/);

    // Collection is unaffected: new posts still arrive.
    const later = [...Array(10)].map(() => alpha.publish());
    await waitForCount(page, IMPORTED + 40);
    expect(await s3.list('tootscope/')).toEqual([]);

    await sink.getByRole('button', { name: 'Change' }).click();
    await sink.getByLabel('Access key id').fill(S3_KEY.accessKeyId);
    await sink.getByLabel('Secret access key').fill(S3_KEY.secretAccessKey);
    await sink.getByRole('button', { name: 'Save and start' }).click();
    await expect.poll(() => sink.getByTestId('sink-status').textContent(), { timeout: 60_000 }).toMatch(/behind: 0 segments/);
    expect(await sink.getByTestId('sink-error').count()).toBe(0);

    const keys = await s3.list('tootscope/');
    const manifestKey = keys.find((k) => k.endsWith('/manifest.json'))!;
    expect(manifestKey).toMatch(/^tootscope\/w-[0-9a-f]{12}\/manifest\.json$/);
    const manifest = JSON.parse(new TextDecoder().decode((await s3.get(manifestKey))!)) as BucketManifest;
    expect(keys).toEqual([...manifest.objects.map((o) => o.key), manifestKey].sort());
    for (const o of manifest.objects) expect(o.key).toMatch(/^tootscope\/w-[0-9a-f]{12}\/date=\d{4}-\d\d-\d\d\/instance=[^/]+\/part-[0-9a-f]{32}\.parquet$/);

    // Every object the manifest names, read by native DuckDB: the page's toots but the ten that
    // came after the compaction, each once.
    const dir = await s3.download(manifest.objects.map((o) => o.key));
    const files = manifest.objects.map((o) => `'${dir}/${o.key}'`).join(', ');
    const bucketUris = (await nativeQuery<{ uri: string }>(`SELECT uri FROM read_parquet([${files}], hive_partitioning=true)`)).map((r) => r.uri);
    const pageUris = (await queryViaConsole(page, 'SELECT uri FROM toots')).rows.map((r) => r[0]!);
    expect(pageUris.length).toBe(await tootsCollected(page));
    const laterUris = new Set(later.map((s) => s.uri));
    expect(bucketUris.length).toBe(IMPORTED + 30);
    expect(new Set(bucketUris).size).toBe(bucketUris.length);
    expect(new Set(bucketUris)).toEqual(new Set(pageUris.filter((u) => !laterUris.has(u))));
    expect(manifest.rows).toBe(IMPORTED + 30);

    // The key pair: in no request URL, nowhere on the page.
    for (const r of s3.requests) {
      expect(r.url).not.toMatch(/S3RVER|AKIAWRONG|wrong-secret|X-Amz-Credential|X-Amz-Signature/i);
    }
    expect(s3.requests.some((r) => r.headers.authorization?.includes(`Credential=${S3_KEY.accessKeyId}/`))).toBe(true);
    const html = await page.content();
    expect(html).not.toContain(WRONG_SECRET);
    expect(html).not.toContain(S3_KEY.secretAccessKey);
  });
});
