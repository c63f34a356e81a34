import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { AwsClient, AwsV4Signer } from 'aws4fetch';

/** s3rver's built-in account: it knows this key id and refuses any other with 403 InvalidAccessKeyId. */
export const S3_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const BUCKET = 'toots';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface S3TestServer {
  endpoint: string;
  requests: RecordedRequest[];
  /** The next `count` requests with `method` are answered `status` with S3's error body `code`. */
  failNext(method: string, count: number, status: number, code: string): void;
  /** Drops the faults not yet used. */
  clearFaults(): void;
  /**
   * Lets `n` more PUTs through, then leaves every later PUT unanswered (as a tab killed mid-upload
   * leaves it) until `dropHeld`, which hangs them up. `held` counts the requests waiting.
   */
  holdPutsAfter(n: number): void;
  /** Leaves every later PUT whose path `match`es unanswered until `dropHeld` (the others pass). */
  holdPuts(match: (path: string) => boolean): void;
  readonly held: number;
  dropHeld(): void;
  /** Stores an object (signed PUT), as another client would. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** An object's bytes (signed GET, as any S3 client reads it), or null. */
  get(key: string): Promise<Uint8Array | null>;
  /** Every object's key under `prefix` (ListObjectsV2, page after page). */
  list(prefix?: string): Promise<string[]>;
  /** Writes `keys` under a new folder, the bucket's layout kept: for native DuckDB to read. */
  download(keys: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * Whether a request signed with s3rver's key id carries the signature AWS would compute for it
 * with that key's secret. s3rver checks the key id and nothing more, so a wrong secret passed
 * where AWS answers 403 SignatureDoesNotMatch. The signature is recomputed with aws4fetch (the
 * page's own signer) over exactly the headers the request says it signed, at its own x-amz-date.
 * Requests with another key id are left to s3rver (403 InvalidAccessKeyId), unsigned ones too.
 */
async function signatureMatches(req: http.IncomingMessage, endpoint: string): Promise<boolean> {
  const auth = req.headers.authorization;
  const m = auth ? /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=[0-9a-f]{64}$/.exec(auth) : null;
  if (!auth || !m || m[1] !== S3_KEY.accessKeyId) return true;
  const headers = new Headers();
  for (const name of m[3]!.split(';')) if (name !== 'host') headers.set(name, String(req.headers[name] ?? ''));
  const signer = new AwsV4Signer({
    method: req.method ?? 'GET',
    url: `${endpoint}${req.url ?? '/'}`,
    headers,
    accessKeyId: S3_KEY.accessKeyId,
    secretAccessKey: S3_KEY.secretAccessKey,
    service: 's3',
    region: m[2]!,
    datetime: String(req.headers['x-amz-date'] ?? ''),
  });
  return (await signer.authHeader()) === auth;
}

/** As S3 answers an error: an XML body, and CORS headers on it (S3 adds them to errors too). */
function s3Error(req: http.IncomingMessage, res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'access-control-allow-origin': req.headers.origin ?? '*' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/**
 * A real S3-compatible server (s3rver 3.7, Koa on the file system) on 127.0.0.1 with one bucket,
 * whose CORS rule allows `origins` (none: no CORS rule, as a fresh bucket has). Every request is
 * recorded. s3rver checks the access key id; the signature is checked here, as AWS checks it.
 */
export async function startS3(opts: { origins?: string[] } = {}): Promise<S3TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tootscope-s3-'));
  const rules = (opts.origins ?? [])
    .map((o) => `<CORSRule><AllowedOrigin>${o}</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule>`)
    .join('');
  const configs = rules ? [`<CORSConfiguration>${rules}</CORSConfiguration>`] : [];
  const s3 = new S3rver({ silent: true, directory: dir, vhostBuckets: false, configureBuckets: [{ name: BUCKET, configs }] });
  await s3.configureBuckets();
  const handle = s3.getMiddleware();
  const requests: RecordedRequest[] = [];
  const faults: Array<{ method: string; status: number; code: string }> = [];
  let hold: { after: number; match: (path: string) => boolean } | null = null;
  const held: http.ServerResponse[] = [];
  let endpoint = '';
  /** Counts `dropHeld` calls: a request held before one is hung up even if its check ends after. */
  let drops = 0;
  const server = http.createServer(async (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    // Decided as the request arrives, not after the signature check reads its body: a PUT a
    // killed browser had sent in full was otherwise stored once `dropHeld` had lifted the hold.
    const holdIt = req.method === 'PUT' && !!hold?.match(req.url ?? '') && hold.after-- <= 0;
    const drop = drops;
    if (!(await signatureMatches(req, endpoint))) {
      s3Error(req, res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
      return;
    }
    if (holdIt) {
      if (drop === drops) held.push(res);
      else res.destroy();
      return;
    }
    const at = faults.findIndex((f) => f.method === req.method);
    if (at >= 0) {
      const [f] = faults.splice(at, 1);
      s3Error(req, res, f!.status, f!.code, 'injected');
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new AwsClient({ ...S3_KEY, service: 's3', region: 'us-east-1' });
  const objectUrl = (key: string) => `${endpoint}/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const get = async (key: string) => {
    const res = await client.fetch(objectUrl(key));
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${key}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  return {
    endpoint,
    requests,
    failNext(method, count, status, code) {
      for (let i = 0; i < count; i++) faults.push({ method, status, code });
    },
    clearFaults() {
      faults.length = 0;
    },
    holdPutsAfter(n) {
      hold = { after: n, match: () => true };
    },
    holdPuts(match) {
      hold = { after: 0, match };
    },
    get held() {
      return held.length;
    },
    dropHeld() {
      hold = null;
      drops++;
      for (const res of held.splice(0)) res.destroy();
    },
    async put(key, body) {
      const res = await client.fetch(objectUrl(key), { method: 'PUT', body: body as BodyInit });
      if (!res.ok) throw new Error(`PUT ${key}: ${res.status}`);
    },
    get,
    async list(prefix = '') {
      const keys: string[] = [];
      let token = '';
      do {
        const more = token ? `&continuation-token=${encodeURIComponent(token)}` : '';
        const xml = await (await client.fetch(`${endpoint}/${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}${more}`)).text();
        keys.push(...[...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!.replaceAll('&amp;', '&')));
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? (/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? '') : '';
      } while (token);
      return keys.sort();
    },
    async download(keys) {
      const out = mkdtempSync(path.join(tmpdir(), 'tootscope-bucket-'));
      for (const key of keys) {
        const bytes = await get(key);
        if (!bytes) throw new Error(`the manifest names ${key}, which the bucket does not hold`);
        mkdirSync(path.dirname(path.join(out, key)), { recursive: true });
        writeFileSync(path.join(out, key), bytes);
      }
      return out;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
