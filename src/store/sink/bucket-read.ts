import type { ImportSource } from '../import/parquet-import';
import { S3Bucket } from './s3-bucket';
import { normalPrefix, type SinkConfig } from './sink-settings';
import type { BucketManifest } from './uploader';

/**
 * The bucket as Import reads it: every writer's folder under the prefix, each through its
 * manifest, so an object a crash or a rewrite left behind is never read. Posts that several
 * writers hold are in several objects; the import's merge keeps each `uri` once. Objects are
 * fetched one at a time as the import reaches them.
 */
export async function bucketSources(config: SinkConfig, fetchFn?: typeof fetch): Promise<{ writers: number; files: Array<{ name: string; bytes: ImportSource }> }> {
  const bucket = new S3Bucket(config, fetchFn);
  const files = new Map<string, { name: string; bytes: ImportSource }>();
  let writers = 0;
  for (const folder of await bucket.folders(normalPrefix(config.prefix))) {
    const raw = await bucket.get(`${folder}/manifest.json`);
    if (!raw) continue; // a folder of something else, or a writer that has not finished its first upload
    const manifest = JSON.parse(new TextDecoder().decode(raw)) as BucketManifest;
    if (manifest.format !== 'tootscope-sink/1' || !Array.isArray(manifest.objects)) continue;
    writers++;
    for (const o of manifest.objects) {
      files.set(o.key, {
        name: o.key,
        bytes: async () => {
          const bytes = await bucket.get(o.key);
          if (!bytes) throw new Error(`the bucket's manifest names ${o.key}, which the bucket does not hold`);
          return bytes;
        },
      });
    }
  }
  return { writers, files: [...files.values()] };
}
