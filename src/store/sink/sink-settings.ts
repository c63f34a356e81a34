import { createStore, get, set, del, type UseStore } from 'idb-keyval';

/**
 * Where the archive goes: an S3-compatible bucket the person owns. The key pair is a secret kept
 * as the instance tokens are (store/settings.ts): in IndexedDB and memory only, sent only to
 * `endpoint` inside a SigV4 `Authorization` header, never in a URL, a log line, an export or the
 * page outside its own field.
 */
export interface SinkConfig {
  /** `https://s3.eu-central-1.amazonaws.com`, `https://ACCOUNT.r2.cloudflarestorage.com`, `http://127.0.0.1:9000` */
  endpoint: string;
  bucket: string;
  /** Folder inside the bucket, without leading or trailing `/`; may be empty. */
  prefix: string;
  /** SigV4 region: `us-east-1`, R2's `auto`, MinIO's `us-east-1` unless set otherwise. */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the uploader remembers between reloads; no secret in it. */
export interface SinkObject {
  /** Key inside the bucket (prefix included). */
  key: string;
  rows: number;
  bytes: number;
}

export interface SinkProgress {
  /** This browser's own folder under the prefix, so several writers never overwrite each other. */
  writerId: string;
  /** `endpoint|bucket|prefix` the rest is about: another destination starts afresh. */
  dest?: string;
  /** Hive objects uploaded per stored segment version (`segmentKey`). */
  segments: Record<string, SinkObject[]>;
  /** The objects the bucket's manifest names now. */
  live: SinkObject[];
  /** The local manifest (`upToSeq`) the bucket's manifest mirrors; -1 before the first. */
  upToSeq: number;
  /** Objects no manifest names any more, still to delete. */
  garbage: string[];
  lastUploadAt: number;
}

/** Plain words for a config that cannot work, or null. */
export function configProblem(c: SinkConfig): string | null {
  let url: URL;
  try {
    url = new URL(c.endpoint);
  } catch {
    return 'The endpoint is not a URL: give it as https://host (for example https://s3.us-east-1.amazonaws.com).';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The endpoint must start with https:// (or http:// for a server on this machine).';
  if (url.search || url.hash || url.username || url.password) return 'The endpoint must be a plain https://host address, without ?, # or a user name in it.';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(c.bucket)) return 'A bucket name is 3-63 lower-case letters, digits, dots and hyphens.';
  if (!c.region.trim()) return 'Give the bucket\'s region (us-east-1 for MinIO, auto for Cloudflare R2).';
  if (!c.accessKeyId.trim() || !c.secretAccessKey) return 'Give both halves of the access key: its id and its secret.';
  return null;
}

/** `a//b/` → `a/b`: keys never start with or double a `/`. */
export function normalPrefix(prefix: string): string {
  return prefix.split('/').filter((p) => p && p !== '.' && p !== '..').join('/');
}

/**
 * The config and progress, in the settings database beside the tokens (not in the batches'
 * database: clearing the collection must not forget where it goes, nor the other way round).
 */
export class SinkSettings {
  private store: UseStore | null = null;
  private memory = new Map<string, unknown>();

  constructor(dbName = 'tootscope-settings') {
    try {
      if (typeof indexedDB !== 'undefined') this.store = createStore(dbName, 'settings');
    } catch {
      this.store = null;
    }
  }

  private async read<T>(key: string): Promise<T | null> {
    try {
      if (this.store) return (await get<T>(key, this.store)) ?? null;
    } catch {
      this.store = null;
    }
    return (this.memory.get(key) as T | undefined) ?? null;
  }

  private async write(key: string, value: unknown): Promise<void> {
    this.memory.set(key, value);
    try {
      if (this.store) await (value === null ? del(key, this.store) : set(key, value, this.store));
    } catch {
      /* memory-only: the page already says storage is unavailable */
    }
  }

  config(): Promise<SinkConfig | null> {
    return this.read<SinkConfig>('sink');
  }

  saveConfig(c: SinkConfig | null): Promise<void> {
    return this.write('sink', c && { ...c, prefix: normalPrefix(c.prefix), endpoint: c.endpoint.replace(/\/+$/, '') });
  }

  async progress(): Promise<SinkProgress> {
    const p = await this.read<SinkProgress>('sink-progress');
    if (p) return p;
    const fresh: SinkProgress = { writerId: newWriterId(), segments: {}, live: [], upToSeq: -1, garbage: [], lastUploadAt: 0 };
    await this.saveProgress(fresh);
    return fresh;
  }

  saveProgress(p: SinkProgress): Promise<void> {
    return this.write('sink-progress', p);
  }
}

/** `w-` and 12 hex digits: short in a path, unique enough among one person's browsers. */
function newWriterId(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return `w-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}
