import { AwsClient } from 'aws4fetch';
import type { SinkConfig } from './sink-settings';

/**
 * What went wrong talking to the bucket, in plain words, and whether waiting may fix it
 * (`busy`: a 503 or 500 passes) or the person has to change something first.
 */
export type SinkProblemKind = 'unreachable' | 'refused' | 'no-bucket' | 'busy' | 'full' | 'other';

export class SinkError extends Error {
  constructor(
    readonly kind: SinkProblemKind,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }

  get transient(): boolean {
    return this.kind === 'busy';
  }
}

/** Each request's deadline: a segment's objects are a few MB at most. */
const TIMEOUT_MS = 60_000;

/**
 * One bucket, path-style (`ENDPOINT/BUCKET/KEY`, which AWS, R2, MinIO and B2 all answer), every
 * request signed with SigV4 by aws4fetch in the `Authorization` header: no presigned URLs, so
 * the key pair never appears in a URL.
 */
export class S3Bucket {
  private readonly client: AwsClient;

  constructor(
    private readonly config: SinkConfig,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    this.client = new AwsClient({
      accessKeyId: config.accessKeyId.trim(),
      secretAccessKey: config.secretAccessKey,
      region: config.region.trim(),
      service: 's3',
      retries: 0, // ours: with backoff the page can show (uploader.ts)
    });
  }

  url(key: string): string {
    return `${this.config.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(this.config.bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /**
   * The folders directly under `prefix` (`prefix/` included, ListObjectsV2 with a `/` delimiter),
   * page after page: each writer's folder under the sink's prefix.
   */
  async folders(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token = '';
    do {
      const query = `list-type=2&delimiter=%2F&prefix=${encodeURIComponent(prefix ? `${prefix}/` : '')}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
      const res = await this.send('GET', '', {}, false, query);
      const xml = await res!.text();
      for (const m of xml.matchAll(/<CommonPrefixes>\s*<Prefix>([^<]*)<\/Prefix>/g)) found.push(xmlText(m[1]!).replace(/\/$/, ''));
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? xmlText(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? '') : '';
    } while (token);
    return found;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.send('PUT', key, { body, headers: { 'content-type': contentType } });
  }

  /** The object's bytes, or null when there is none. */
  async get(key: string): Promise<Uint8Array | null> {
    const res = await this.send('GET', key, {}, true);
    return res ? new Uint8Array(await res.arrayBuffer()) : null;
  }

  /** Deleting a key that is not there succeeds, as S3 answers 204 either way. */
  async delete(key: string): Promise<void> {
    await this.send('DELETE', key, {}, true);
  }

  private async send(method: string, key: string, init: { body?: Uint8Array; headers?: Record<string, string> }, missingOk = false, query = ''): Promise<Response | null> {
    let res: Response;
    try {
      const url = key ? this.url(key) : `${this.config.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(this.config.bucket)}`;
      const signed = await this.client.sign(query ? `${url}?${query}` : url, { method, ...init, body: init.body as BodyInit | undefined });
      res = await this.fetchFn(signed, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      const timedOut = (err as Error)?.name === 'TimeoutError';
      throw new SinkError(
        timedOut ? 'busy' : 'unreachable',
        timedOut
          ? `The bucket's server did not answer within ${TIMEOUT_MS / 1000} s.`
          : `Could not reach the bucket at ${this.config.endpoint}: the server is down or unreachable, or the bucket does not exist or its CORS rule does not let this page (${pageOrigin()}) in (a browser cannot tell these apart). The README says how to set that rule.`,
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]{1,80})<\/Code>/.exec(text)?.[1] ?? '';
    if (res.status === 404 && missingOk && code !== 'NoSuchBucket') return null;
    throw describe(res.status, code, this.config);
  }
}

/** The five entities S3's XML escapes. */
const xmlText = (s: string) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

function pageOrigin(): string {
  return typeof location !== 'undefined' ? location.origin : 'this page';
}

/** S3's error codes (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) in plain words. */
function describe(status: number, code: string, c: SinkConfig): SinkError {
  const named = code ? ` (${status} ${code})` : ` (${status})`;
  if (code === 'NoSuchBucket' || (status === 404 && !code)) {
    return new SinkError('no-bucket', `There is no bucket named "${c.bucket}" at ${c.endpoint}${named}: create it, or correct the name.`, status);
  }
  if (code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'InvalidToken' || code === 'ExpiredToken') {
    return new SinkError('refused', `The bucket refused the access key${named}: check the key id and its secret.`, status);
  }
  if (code === 'RequestTimeTooSkewed') {
    return new SinkError('refused', `The bucket refused the request because this computer's clock is off${named}: set the clock right.`, status);
  }
  if (code === 'AuthorizationHeaderMalformed') {
    return new SinkError('refused', `The bucket refused the request${named}: the region is probably wrong for this bucket.`, status);
  }
  if (status === 401 || status === 403) {
    return new SinkError('refused', `The bucket refused this access key${named}: it needs permission to put, get and delete objects under the prefix.`, status);
  }
  if (status === 507 || /Quota|Storage|TooLarge/i.test(code)) {
    return new SinkError('full', `The bucket is full or over its quota${named}: free space or raise the quota.`, status);
  }
  if (status === 503 || status === 500 || status === 502 || status === 504 || status === 429) {
    return new SinkError('busy', `The bucket's server is busy or failing${named}.`, status);
  }
  return new SinkError('other', `The bucket's server refused the upload${named}.`, status);
}
