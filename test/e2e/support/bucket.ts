import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { generatedToots } from '../../unit/helpers/generated-toots';
import { codec } from '../../unit/helpers/local-data';
import { nativeQuery } from '../../unit/helpers/native-duckdb';
import type { S3TestServer } from '../../unit/helpers/s3-server';
import { tootsToIPC } from '../../../src/core/arrow-batch';
import type { BucketManifest } from '../../../src/store/sink/uploader';

/** 50,000 rows reach the compaction threshold at once, so one import stands in for minutes of collection. */
export const IMPORTED = 50_000;

/**
 * A Parquet file of IMPORTED generated toots for the page's Import, from four servers, not the
 * demo's hundreds: one object per day and server, and a dozen uploads keep a test short where a
 * thousand would not.
 */
export async function importFile(seed: number): Promise<string> {
  const HOSTS = ['a.example', 'b.example', 'c.example', '127.0.0.1:8080'];
  const rows = generatedToots(IMPORTED, seed).map((r, i) => ({ ...r, from_instance: HOSTS[i % 4]!, acct: `${r.username}@${HOSTS[i % 4]}` }));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-sink-e2e-')), 'import.parquet');
  writeFileSync(file, await codec.write(tootsToIPC(rows)));
  return file;
}

/**
 * Fills the sink row's form and saves it with Enter in the last field, as a keyboard user does. A
 * click waits for the button to hold still over two frames, and on a loaded CI machine it did not
 * within 30 s while the page started (s3-sink-edits, one run of four); the form's submit does not
 * depend on that.
 */
export async function configureSink(sink: Locator, s: { endpoint: string; bucket: string; prefix: string; keyId: string; secret: string }): Promise<void> {
  await sink.getByLabel('Endpoint').fill(s.endpoint);
  await sink.getByLabel('Bucket').fill(s.bucket);
  await sink.getByLabel('Folder').fill(s.prefix);
  await sink.getByLabel('Access key id').fill(s.keyId);
  const secret = sink.getByLabel('Secret access key');
  await secret.fill(s.secret);
  await secret.press('Enter');
}

/** The one writer's manifest under `prefix`, with every key the bucket holds there. */
export async function bucketState(s3: S3TestServer, prefix: string): Promise<{ keys: string[]; manifestKey: string; manifest: BucketManifest }> {
  const keys = await s3.list(`${prefix}/`);
  const manifestKey = keys.find((k) => k.endsWith('/manifest.json'))!;
  if (!manifestKey) throw new Error(`no manifest under ${prefix}/: ${keys.length} objects`);
  const manifest = JSON.parse(new TextDecoder().decode((await s3.get(manifestKey))!)) as BucketManifest;
  return { keys, manifestKey, manifest };
}

/** Every uri in the objects the manifest names, read by native DuckDB as a reader following it would. */
export async function manifestUris(s3: S3TestServer, manifest: BucketManifest): Promise<string[]> {
  const dir = await s3.download(manifest.objects.map((o) => o.key));
  const files = manifest.objects.map((o) => `'${dir}/${o.key}'`).join(', ');
  return (await nativeQuery<{ uri: string }>(`SELECT uri FROM read_parquet([${files}], hive_partitioning=true)`)).map((r) => r.uri);
}
