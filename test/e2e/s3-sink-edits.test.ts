import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MastodonStatus } from '../../src/core/mastodon';
import { nativeQuery } from '../unit/helpers/native-duckdb';
import { BUCKET, S3_KEY, startS3, type S3TestServer } from '../unit/helpers/s3-server';
import { useHarness } from './support/harness';
import { openApp, setToken, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { bucketState, configureSink, importFile } from './support/bucket';

/**
 * Issue 20's end-to-end proof: two live instances (one polled, one streamed with its edits and
 * deletes) archive into a real S3-compatible server over two compactions (each set off by an
 * import of 50,000 toots, the compaction threshold). Posts already in the bucket are then edited
 * and deleted at the source: the second compaction rewrites their segments, the sink replaces
 * the objects, and native DuckDB reading every object the manifest names finds exactly the
 * ground truth, once each, edits applied, deletes gone, nothing else left in the bucket.
 */
describe('archive to an S3 bucket through edits and deletes', () => {
  const h = useHarness({
    fakes: {
      alpha: { domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 51 },
      beta: { domain: 'beta.test', liveFeeds: 'authenticated', tokens: ['b-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 52 },
    },
  });
  let s3: S3TestServer;
  const files: string[] = [];
  beforeAll(async () => {
    s3 = await startS3({ origins: [new URL(h.url).origin] });
    files.push(await importFile(130), await importFile(131));
  });
  afterAll(() => s3?.close());

  it('ends with the bucket equal to the ground truth, edits applied and deletes gone', { timeout: 480_000 }, async () => {
    const { alpha, beta } = h.fakes;
    const bHost = new URL(beta.webUrl).host;
    const page = await openApp(h.context, `${h.url}?instances=${alpha.webUrl},${beta.webUrl}`);
    await waitForRowState(page, bHost, /needs sign-in/, 120_000);
    await setToken(page, bHost, 'b-token');
    await waitForRowState(page, bHost, /^streaming/);
    await configureSink(page.locator('section.sink'), { endpoint: s3.endpoint, bucket: BUCKET, prefix: 'edits', keyId: S3_KEY.accessKeyId, secret: S3_KEY.secretAccessKey });

    const deleted = new Set<string>();
    const edits = new Map<string, string>();
    const live: MastodonStatus[] = [];
    for (let i = 0; i < 20; i++) {
      live.push(alpha.publish(), beta.publish());
      if (i % 4 === 0) beta.publishFrom(live.at(-2)!); // an alpha post seen on beta too
    }
    const importedBy = async (f: string) => new Set((await nativeQuery<{ uri: string }>(`SELECT uri FROM read_parquet('${f}')`)).map((r) => r.uri));
    const imported: Array<Set<string>> = [];
    const truth = () => {
      const uris = new Set([...alpha.groundTruth().published, ...beta.groundTruth().published].map((s) => s.uri));
      for (const set of imported) for (const u of set) uris.add(u);
      for (const u of deleted) uris.delete(u);
      return uris;
    };
    await waitForCount(page, truth().size);

    // First compaction: the import brings the store to the threshold.
    const importButton = page.getByRole('button', { name: 'Import Parquet' });
    const importNext = async (file: string) => {
      await expect.poll(() => importButton.isEnabled(), { timeout: 60_000 }).toBe(true);
      imported.push(await importedBy(file));
      await page.getByLabel('Parquet files to import').setInputFiles(file);
      await waitForCount(page, truth().size, 180_000);
    };
    await importNext(files[0]!);
    await expect.poll(async () => (await s3.list('edits/')).some((k) => k.endsWith('/manifest.json')), { timeout: 180_000 }).toBe(true);
    const first = await bucketState(s3, 'edits');
    const archived = await objectRows(first.manifest.objects.map((o) => o.key));

    // At the source, posts the bucket already holds are edited and deleted; beta streams both.
    const alphaUris = new Set(alpha.groundTruth().published.map((s) => s.uri));
    const changed = beta.groundTruth().published.filter((s) => !alphaUris.has(s.uri)).slice(0, 7);
    for (const s of changed.slice(0, 4)) {
      const text = `edited after archiving ${s.id}`;
      beta.edit(s.id, { content: `<p>${text}</p>` });
      edits.set(s.uri, text);
    }
    for (const s of changed.slice(4)) {
      beta.deleteStatus(s.id);
      deleted.add(s.uri);
    }
    for (const s of changed) expect(archived.some((r) => r.uri === s.uri), `${s.uri} was in the bucket before it changed`).toBe(true);
    for (let i = 0; i < 5; i++) live.push(alpha.publish(), beta.publish());
    await waitForCount(page, truth().size);
    await expect.poll(async () => (await queryViaConsole(page, `SELECT count(*) FROM toots WHERE mastodon_text LIKE 'edited after archiving %'`)).rows[0]![0]).toBe(String(edits.size));

    // Second compaction: it rewrites the segments the edits and deletes touched.
    await importNext(files[1]!);
    await expect.poll(async () => (await bucketState(s3, 'edits')).manifest.upToSeq, { timeout: 180_000 }).toBeGreaterThan(first.manifest.upToSeq);
    await expect.poll(() => page.locator('section.sink').getByTestId('sink-status').textContent(), { timeout: 120_000 }).toMatch(/behind: 0 segments \(0 B\)\s*$/);

    const end = await bucketState(s3, 'edits');
    expect(end.keys, 'the bucket holds what the manifest names, nothing superseded').toEqual([...end.manifest.objects.map((o) => o.key), end.manifestKey].sort());
    const rows = await objectRows(end.manifest.objects.map((o) => o.key));
    const pageUris = (await queryViaConsole(page, 'SELECT uri FROM toots')).rows.map((r) => r[0]!);
    const want = truth();
    expect(rows.length, 'each post once').toBe(new Set(rows.map((r) => r.uri)).size);
    expect(new Set(rows.map((r) => r.uri))).toEqual(want);
    expect(new Set(pageUris)).toEqual(want);
    for (const [uri, text] of edits) expect(rows.find((r) => r.uri === uri)?.text, uri).toBe(text);
    // Superseded objects are gone: some of the first manifest's keys are not in the bucket now.
    expect(first.manifest.objects.some((o) => !end.keys.includes(o.key))).toBe(true);

    /** Every row of the named objects, read by native DuckDB as a reader of the bucket would. */
    async function objectRows(keys: string[]): Promise<Array<{ uri: string; text: string }>> {
      const dir = await s3.download(keys);
      const list = keys.map((k) => `'${dir}/${k}'`).join(', ');
      return nativeQuery<{ uri: string; text: string }>(`SELECT uri, mastodon_text AS text FROM read_parquet([${list}], hive_partitioning=true)`);
    }
  });
});
