import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { BUCKET, S3_KEY, startS3, type S3TestServer } from '../unit/helpers/s3-server';
import { IMPORTED, bucketState, configureSink, importFile, manifestUris } from './support/bucket';

const WRONG_SECRET = 'wrong-secret-0f9e8d7c6b5a';
const WRONG_KEY_ID = 'AKIAWRONGKEY00000000';

/**
 * Issue 20 in the browser: the page archives into a real S3-compatible server (s3rver) on
 * 127.0.0.1 whose bucket's CORS rule allows the page's origin. A wrong key pauses the sink with a
 * message while collection goes on; the right key uploads the compacted segment, and native
 * DuckDB reading every object the bucket's manifest names finds exactly the page's toots, once;
 * Import reads the bucket back through the manifest; a bucket without a CORS rule for the page is
 * a message on the row.
 */
describe('archive to an S3 bucket', () => {
  const h = useHarness({ fakes: { alpha: { domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 20 } } });
  let s3: S3TestServer;
  let file = '';

  beforeAll(async () => {
    s3 = await startS3({ origins: [new URL(h.url).origin] });
    file = await importFile(120);
  });
  afterAll(() => s3?.close());

  it('uploads what compaction stores; a wrong key is a message on the row and collection goes on', { timeout: 240_000 }, async () => {
    const alpha = h.fakes.alpha;
    for (let i = 0; i < 30; i++) alpha.publish();
    const page = await openApp(h.context, `${h.url}?instances=${alpha.webUrl}`);
    await waitForRowState(page, new URL(alpha.webUrl).host, /^polling/);
    await waitForCount(page, 30);

    const sink = page.locator('section.sink');
    await configureSink(sink, { endpoint: s3.endpoint, bucket: BUCKET, prefix: 'tootscope', keyId: WRONG_KEY_ID, secret: WRONG_SECRET });
    await expect.poll(() => sink.getByTestId('sink-destination').textContent()).toBe(`${s3.endpoint}/${BUCKET}/tootscope`);

    const importButton = page.getByRole('button', { name: 'Import Parquet' });
    await expect.poll(() => importButton.isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByLabel('Parquet files to import').setInputFiles(file);
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
    // Not only the segments: the manifest and the clean-up after it too (the status then stops
    // saying "uploading"). A CI run read the bucket between the last segment and its manifest.
    await expect.poll(() => sink.getByTestId('sink-status').textContent(), { timeout: 120_000 }).toMatch(/behind: 0 segments \(0 B\)\s*$/);
    expect(await sink.getByTestId('sink-error').count()).toBe(0);

    const { keys, manifestKey, manifest } = await bucketState(s3, 'tootscope');
    expect(manifestKey).toMatch(/^tootscope\/w-[0-9a-f]{12}\/manifest\.json$/);
    expect(keys).toEqual([...manifest.objects.map((o) => o.key), manifestKey].sort());
    for (const o of manifest.objects) expect(o.key).toMatch(/^tootscope\/w-[0-9a-f]{12}\/date=\d{4}-\d\d-\d\d\/instance=[^/]+\/part-[0-9a-f]{32}\.parquet$/);
    // The manifest says what each instance runs, as the one-file export's metadata does.
    expect(manifest.instances?.find((i) => i.base_url === alpha.webUrl)?.software).toBe('mastodon');

    // Every object the manifest names, read by native DuckDB: the page's toots but the ten that
    // came after the compaction, each once.
    const bucketUris = await manifestUris(s3, manifest);
    const pageUris = (await queryViaConsole(page, 'SELECT uri FROM toots')).rows.map((r) => r[0]!);
    expect(pageUris.length).toBe(await tootsCollected(page));
    const laterUris = new Set(later.map((s) => s.uri));
    expect(bucketUris.length).toBe(IMPORTED + 30);
    expect(new Set(bucketUris).size).toBe(bucketUris.length);
    expect(new Set(bucketUris)).toEqual(new Set(pageUris.filter((u) => !laterUris.has(u))));
    expect(manifest.rows).toBe(IMPORTED + 30);

    // Import reads the bucket back through its manifest (signed GETs, same CORS rule): every row,
    // none of them new here.
    await page.getByRole('button', { name: 'Import from the bucket' }).click();
    await expect
      .poll(() => page.getByTestId('import-export-result').textContent().catch(() => ''), { timeout: 120_000 })
      .toMatch(new RegExp(`^Imported ${(IMPORTED + 30).toLocaleString('en-US')} rows from the bucket \\(Tootscope columns\\): 0 new toots`));
    expect(await tootsCollected(page)).toBe(IMPORTED + 40);

    // The key pair: in no request URL, nowhere on the page.
    for (const r of s3.requests) {
      expect(r.url).not.toMatch(/S3RVER|AKIAWRONG|wrong-secret|X-Amz-Credential|X-Amz-Signature/i);
    }
    expect(s3.requests.some((r) => r.headers.authorization?.includes(`Credential=${S3_KEY.accessKeyId}/`))).toBe(true);

    // A bucket whose CORS rule does not name the page's origin: the browser refuses the answer.
    const closed = await startS3();
    try {
      await sink.getByRole('button', { name: 'Change' }).click();
      await sink.getByLabel('Endpoint').fill(closed.endpoint);
      await sink.getByRole('button', { name: 'Save and start' }).click();
      await expect
        .poll(() => sink.getByTestId('sink-error').textContent().catch(() => ''), { timeout: 60_000 })
        .toMatch(new RegExp(`^Could not reach the bucket at ${closed.endpoint}: .* its CORS rule does not let this page \\(${new URL(h.url).origin}\\) in`));
      expect(closed.requests.every((r) => r.method === 'OPTIONS')).toBe(true);
    } finally {
      await closed.close();
    }

    const html = await page.content();
    expect(html).not.toContain(WRONG_SECRET);
    expect(html).not.toContain(S3_KEY.secretAccessKey);
  });
});
