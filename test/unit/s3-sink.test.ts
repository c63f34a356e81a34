import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { A, B, codec, openLocalData, posts, tableFingerprint, write } from './helpers/local-data';
import { nativeQuery } from './helpers/native-duckdb';
import { BUCKET, S3_KEY, startS3, type S3TestServer } from './helpers/s3-server';
import type { LocalData } from '../../src/store/local-data';
import { SinkSettings, type SinkConfig } from '../../src/store/sink/sink-settings';
import { SinkUploader, type BucketManifest } from '../../src/store/sink/uploader';
import { bucketSources } from '../../src/store/sink/bucket-read';
import { importParquetFiles } from '../../src/store/import/parquet-import';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(() => s3?.close());

const config = (over: Partial<SinkConfig> = {}): SinkConfig => ({ endpoint: s3.endpoint, bucket: BUCKET, prefix: 'archive/', region: 'us-east-1', ...S3_KEY, ...over });

let n = 0;
async function uploader(data: LocalData, cfg: SinkConfig | null = config(), settingsName = `sink-settings-${n++}`, fetchFn?: typeof fetch) {
  const settings = new SinkSettings(settingsName);
  await settings.saveConfig(cfg);
  const up = new SinkUploader({ db: data.db, store: data.store, codec: async () => codec, settings, run: (fn) => data.table.exclusive(fn), backoffMs: 5, fetchFn });
  up.configure(await settings.config());
  return { up, settings };
}

async function manifestOf(up: SinkUploader, settings: SinkSettings): Promise<BucketManifest> {
  const { writerId } = await settings.progress();
  const bytes = await s3.get(`archive/${writerId}/manifest.json`);
  expect(bytes, 'the manifest object').not.toBeNull();
  return JSON.parse(new TextDecoder().decode(bytes!)) as BucketManifest;
}

/** Native DuckDB over exactly the objects the manifest names, as a reader that follows it does. */
const FINGERPRINT = `count(*)::INTEGER AS n, count(DISTINCT uri)::INTEGER AS u,
  string_agg(concat_ws('|', uri, favourites, mastodon_text, epoch_us(created_ts), id, url, username, created_at, created_at_str), ';' ORDER BY uri) AS f`;
async function bucketFingerprint(m: BucketManifest) {
  const dir = await s3.download(m.objects.map((o) => o.key));
  const files = m.objects.map((o) => `'${dir}/${o.key}'`).join(', ');
  const [fp] = await nativeQuery<{ n: number; u: number; f: string }>(`SELECT ${FINGERPRINT} FROM read_parquet([${files}], hive_partitioning=true)`);
  const [wrong] = await nativeQuery<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM read_parquet([${files}], hive_partitioning=true)
     WHERE date IS DISTINCT FROM created_ts::DATE OR instance IS DISTINCT FROM split_part(base_url, '/', 3)`,
  );
  expect(wrong!.n, 'rows whose Hive path disagrees with their columns').toBe(0);
  return fp!;
}

describe('the bucket sink', () => {
  it('mirrors the stored segments as Hive Parquet plus a manifest; a rewrite replaces its objects', async () => {
    const data = await openLocalData('sink-mirror');
    const first = posts(30, 3);
    await write(data, first);
    await write(data, posts(25, 4), B);
    expect(await data.compact()).toBe(true);
    const { up, settings } = await uploader(data);
    await up.sync();
    expect(up.status).toMatchObject({ state: 'idle', message: '', segmentsBehind: 0 });
    let m = await manifestOf(up, settings);
    for (const o of m.objects) expect(o.key).toMatch(/^archive\/w-[0-9a-f]{12}\/date=\d{4}-\d\d-\d\d\/instance=[^/]+\/part-[0-9a-f]{32}\.parquet$/);
    expect(new Set(m.objects.map((o) => o.key.split('/')[2])).size).toBeGreaterThan(1);
    expect(m.rows).toBe(55);
    expect(await bucketFingerprint(m)).toEqual(await tableFingerprint(data));

    // Nothing changed locally: no request at all, and the manifest (megabytes at scale) is not read.
    const asked = s3.requests.length;
    const reads = vi.spyOn(data.store, 'snapshot');
    await up.sync();
    expect(s3.requests.length).toBe(asked);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();

    // An edit and a delete reach the bucket once the next compaction rewrites the segment.
    await write(data, [{ ...first[0]!, favourites_count: 4242, content: '<p>edited</p>', edited_at: '2026-01-05T00:00:00.000Z' }]);
    await write(data, [], A, [{ base_url: A, id: first[1]!.id }]);
    await write(data, posts(5, 6));
    const before = m.objects.map((o) => o.key);
    expect(await data.compact()).toBe(true);
    await up.sync();
    m = await manifestOf(up, settings);
    const truth = await tableFingerprint(data);
    expect(truth.n).toBe(59);
    expect(await bucketFingerprint(m)).toEqual(truth);
    // The superseded objects are gone; the bucket holds what the manifest names and the manifest.
    const { writerId } = await settings.progress();
    expect(await s3.list('archive/')).toEqual([...m.objects.map((o) => o.key), `archive/${writerId}/manifest.json`].sort());
    expect(before.some((k) => !m.objects.some((o) => o.key === k))).toBe(true);
  });

  it('resumes after the tab dies mid-upload, without uploading a finished segment again', async () => {
    const data = await openLocalData('sink-resume');
    await write(data, posts(20, 7));
    await data.compact();
    await write(data, posts(20, 8));
    await data.compact();
    const name = 'sink-settings-resume';
    // The tab dies once the first segment is uploaded: every later request fails unanswered.
    const watch = new SinkSettings(name);
    const dying: typeof fetch = async (input, init) => {
      if (Object.keys((await watch.progress()).segments).length) throw new TypeError('Failed to fetch');
      return fetch(input, init);
    };
    const first = await uploader(data, config(), name, dying);
    await first.up.sync();
    expect(first.up.status.state).toBe('paused');
    const uploaded = (await first.settings.progress()).segments;
    expect(Object.keys(uploaded).length).toBe(1);

    const mark = s3.requests.length;
    const again = await uploader(data, config(), name);
    await again.up.sync();
    expect(again.up.status.state).toBe('idle');
    const m = await manifestOf(again.up, again.settings);
    expect(await bucketFingerprint(m)).toEqual(await tableFingerprint(data));
    const reput = s3.requests.slice(mark).filter((r) => r.method === 'PUT' && Object.values(uploaded).flat().some((o) => decodeURIComponent(r.url).endsWith(o.key)));
    expect(reput).toEqual([]);
    const { writerId } = await again.settings.progress();
    expect((await s3.list(`archive/${writerId}/`)).length).toBe(m.objects.length + 1);
  });

  it('says in plain words what is wrong, pauses, and goes on once it is right; keys never in a URL', async () => {
    const data = await openLocalData('sink-errors');
    await write(data, posts(10, 9));
    await data.compact();
    const secret = 'wJalrXUtnFEMI-secret-K7MDENG';
    const wrong = await uploader(data, config({ accessKeyId: 'AKIAWRONGKEY12345678', secretAccessKey: secret }));
    await wrong.up.sync();
    expect(wrong.up.status.state).toBe('paused');
    expect(wrong.up.status.message).toMatch(/^The bucket refused the access key \(403 InvalidAccessKeyId\): check the key id and its secret\. Nothing is lost/);
    expect(wrong.up.status.message).not.toContain('AKIAWRONG');
    expect(wrong.up.status.retryAt).toBeGreaterThan(Date.now() - 1000);

    // The right key id with a wrong secret: the signature is refused, as AWS refuses it.
    const before = await s3.list('');
    const forged = await uploader(data, config({ secretAccessKey: secret }));
    await forged.up.sync();
    expect(forged.up.status.state).toBe('paused');
    expect(forged.up.status.message).toMatch(/^The bucket refused the access key \(403 SignatureDoesNotMatch\): check the key id and its secret\. Nothing is lost/);
    expect(await s3.list('')).toEqual(before);

    const missing = await uploader(data, config({ bucket: 'no-such-bucket' }));
    await missing.up.sync();
    expect(missing.up.status.message).toMatch(/^There is no bucket named "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ \(404 NoSuchBucket\)/);

    const closed = await uploader(data, config({ endpoint: 'http://127.0.0.1:9' }));
    await closed.up.sync();
    expect(closed.up.status.message).toMatch(/^Could not reach the bucket at http:\/\/127\.0\.0\.1:9: the server is down or unreachable, or the bucket does not exist or its CORS rule/);

    // A busy server: a few 503s are retried within the round; more pause it with a message.
    const busy = await uploader(data);
    s3.failNext('PUT', 2, 503, 'SlowDown');
    await busy.up.sync();
    expect(busy.up.status).toMatchObject({ state: 'idle', message: '' });
    const busier = await uploader(data);
    s3.failNext('PUT', 1000, 503, 'SlowDown');
    await busier.up.sync();
    expect(busier.up.status.message).toMatch(/^The bucket's server is busy or failing \(503 SlowDown\)\. Nothing is lost/);
    s3.clearFaults();
    // A full disk, as MinIO says it (cmd/api-errors.go: ErrStorageFull, 507 XMinioStorageFull).
    const full = await uploader(data);
    s3.failNext('PUT', 1000, 507, 'XMinioStorageFull');
    await full.up.sync();
    expect(full.up.status.state).toBe('paused');
    expect(full.up.status.message).toMatch(/^The bucket is full or over its quota \(507 XMinioStorageFull\): free space or raise the quota\. Nothing is lost: the page keeps every toot/);
    s3.clearFaults();
    await busier.up.retryNow();
    expect(busier.up.status).toMatchObject({ state: 'idle', message: '' });

    // Fixed config, same page: it uploads.
    wrong.up.configure(config());
    await wrong.up.sync();
    expect(wrong.up.status.state).toBe('idle');
    for (const r of s3.requests) {
      expect(r.url).not.toContain(secret);
      expect(r.url).not.toContain('AKIAWRONG');
      expect(r.url).not.toMatch(/X-Amz-Credential|X-Amz-Signature/i);
    }
  });
});

describe('docs/SCALING.md over the bucket', () => {
  it('runs its `sql bucket` blocks on what the sink uploaded', async () => {
    const data = await openLocalData('sink-docs');
    await write(data, posts(40, 12));
    await write(data, posts(30, 13), B);
    await data.compact();
    const { up } = await uploader(data, config({ prefix: 'tootscope' }));
    await up.sync();
    expect(up.status.state).toBe('idle');
    const dir = await s3.download((await s3.list('tootscope/')));
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/SCALING.md'), 'utf8');
    const blocks = [...doc.matchAll(/```sql bucket\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll("'toots/", `'${dir}/`));
    expect(blocks).toHaveLength(2);
    // The second block uses the first one's variable: one session, as in the DuckDB shell.
    const statements = blocks.join('\n').replace(/--[^\n]*/g, '').split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
    const last = await nativeQuery<{ toots: number }>(statements);
    expect(Number(last[0]!.toots)).toBe(70);
  });
});

describe('reading the bucket back', () => {
  it('imports every writer through its manifest: two browsers, one collection, each post once', async () => {
    const one = await openLocalData('sink-writer-1');
    const two = await openLocalData('sink-writer-2');
    const shared = posts(15, 20);
    await write(one, [...shared, ...posts(20, 20)]);
    await write(two, [...shared, ...posts(10, 21)], B);
    await one.compact();
    await two.compact();
    for (const data of [one, two]) {
      const { up } = await uploader(data, config({ prefix: 'shared' }));
      await up.sync();
      expect(up.status.state).toBe('idle');
    }
    // A leftover that no manifest names (as a crash between upload and manifest leaves one).
    await s3.put('shared/w-000000000000/date=2026-01-20/instance=x/part-0.parquet', new Uint8Array([1, 2, 3]));
    const { writers, files } = await bucketSources(config({ prefix: 'shared' }));
    expect(writers).toBe(2);
    const fresh = await openLocalData('sink-reader');
    const result = await importParquetFiles(codec, files, (ipc, rows) => fresh.importBatch(ipc, rows));
    expect(result.rows).toBe(35 + 25);
    const [t] = await fresh.db.query<{ n: number; u: number }>('SELECT count(*)::INTEGER AS n, count(DISTINCT uri)::INTEGER AS u FROM toots');
    expect(t).toEqual({ n: 45, u: 45 });
  });
});
