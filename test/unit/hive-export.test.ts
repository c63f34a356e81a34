import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import * as pq from 'parquet-wasm/node';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { generatedToots, loadToots } from './helpers/generated-toots';
import { nativeQuery } from './helpers/native-duckdb';
import type { TootRow } from '../../src/core/toot';
import { exportHiveFiles, exportHiveZip, hiveEscape, hiveZipName, zipHive, HIVE_NULL } from '../../src/store/export/hive-export';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { ParquetModule } from '../../src/store/parquet/parquet-wasm';
import { parquetCodec } from '../../src/store/archive/parquet-codec';
import { zstd } from './helpers/zstd';

const PQ = parquetCodec(pq as unknown as ParquetModule, zstd);
const DAY = 86_400_000;

function unzipTo(zip: Uint8Array, dir: string): string[] {
  const entries = unzipSync(zip);
  for (const [name, bytes] of Object.entries(entries)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), bytes);
  }
  return Object.keys(entries).sort();
}

describe('hive path segments', () => {
  it('escapes a port and anything outside [A-Za-z0-9._-] as Hive does', () => {
    expect(hiveEscape('127.0.0.1:8080')).toBe('127.0.0.1%3A8080');
    expect(hiveEscape('mastodon.social')).toBe('mastodon.social');
    expect(hiveEscape('[::1]:3000')).toBe('%5B%3A%3A1%5D%3A3000');
    expect(hiveEscape('a/b=c%')).toBe('a%2Fb%3Dc%25');
    expect(hiveEscape('')).toBe(HIVE_NULL);
    expect(hiveEscape(null)).toBe(HIVE_NULL);
    expect(hiveZipName(new Date(Date.UTC(2026, 10, 23, 12, 0, 5)))).toBe('tootscope-hive-2026-11-23T12-00-05.zip');
  });
});

describe('Hive-partitioned export', () => {
  let db: AnalyticsDb;
  let dir: string;
  let names: string[];
  let zip: Uint8Array;
  // Some collected from a dev server with a port, as the fake instances in the e2e suite are.
  const DEV = 'http://127.0.0.1:8080';
  const rows = generatedToots(3000).map((r, i) => (i % 97 === 0 ? { ...r, base_url: DEV, seen_on: [DEV] } : r));
  const hostOf = (baseUrl: string) => new URL(baseUrl).host;
  const expected = new Map<string, number>();
  for (const r of rows) {
    const k = `${new Date(r.created_ts).toISOString().slice(0, 10)}|${hostOf(r.base_url)}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }

  beforeAll(async () => {
    db = await openNodeDuckDb();
    await loadToots(db, rows);
    const out = await exportHiveZip(db, PQ);
    zip = out.zip;
    dir = mkdtempSync(path.join(tmpdir(), 'tootscope-hive-'));
    names = unzipTo(zip, dir);
  });
  afterAll(async () => db.close());

  it('has one entry per date × instance collected from, named date=YYYY-MM-DD/instance=HOST/part-N.parquet', () => {
    // Three days of three collecting instances: a handful of files, not one per author's server.
    expect(expected.size).toBeGreaterThanOrEqual(6);
    expect(expected.size).toBeLessThanOrEqual(12);
    expect(new Set(rows.map((r) => r.from_instance)).size).toBeGreaterThan(50);
    expect(names).toHaveLength(expected.size);
    for (const n of names) expect(n).toMatch(/^date=\d{4}-\d{2}-\d{2}\/instance=[A-Za-z0-9._%-]+\/part-0\.parquet$/);
    const want = [...expected.keys()].map((k) => {
      const [d, h] = k.split('|') as [string, string];
      return `date=${d}/instance=${hiveEscape(h)}/part-0.parquet`;
    });
    expect(names).toEqual(want.sort());
    expect(names.some((n) => n.includes('/instance=127.0.0.1%3A8080/'))).toBe(true);
    // Stored, not deflated: zstd Parquet does not shrink further.
    const sum = Object.values(unzipSync(zip)).reduce((s, b) => s + b.byteLength, 0);
    expect(zip.byteLength).toBeGreaterThan(sum);
  });

  it('native DuckDB reads the tree with hive_partitioning: same counts per date and instance, every row once', async () => {
    const glob = `${dir}/**/*.parquet`;
    const counts = await nativeQuery<{ date: string; instance: string; n: string; ok: boolean }>(
      `SELECT strftime(date, '%Y-%m-%d') AS date, instance, count(*) AS n,
              bool_and(instance = split_part(base_url, '/', 3) AND date = (created_ts AT TIME ZONE 'UTC')::DATE) AS ok
       FROM read_parquet('${glob}', hive_partitioning = true) GROUP BY ALL`,
    );
    expect(new Map(counts.map((c) => [`${c.date}|${c.instance}`, Number(c.n)]))).toEqual(expected);
    expect(counts.every((c) => c.ok)).toBe(true);
    const [once] = await nativeQuery<{ n: string; uris: string }>(
      `SELECT count(*) AS n, count(DISTINCT uri) AS uris FROM read_parquet('${glob}', hive_partitioning = true)`,
    );
    expect(once).toEqual({ n: String(new Set(rows.map((r) => r.uri)).size), uris: String(new Set(rows.map((r) => r.uri)).size) });
  });

  it('keeps the schema types, with date DATE and instance VARCHAR from the paths', async () => {
    const cols = await nativeQuery<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`,
    );
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    expect(cols).toHaveLength(38);
    expect(types).toMatchObject({
      m_id: 'BIGINT', created_at: 'BIGINT', favourites: 'INTEGER', bot: 'BOOLEAN', id: 'VARCHAR', uri: 'VARCHAR',
      created_ts: 'TIMESTAMP WITH TIME ZONE', received_at: 'TIMESTAMP WITH TIME ZONE', edited_at: 'TIMESTAMP WITH TIME ZONE',
      account_created_at: 'TIMESTAMP WITH TIME ZONE', hashtags: 'VARCHAR[]', seen_on: 'VARCHAR[]', source: 'VARCHAR',
      date: 'DATE', instance: 'VARCHAR',
    });
    // The files alone hold the 36 columns of SCHEMA.md: partition columns live in the paths only.
    const one = await nativeQuery<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet('${dir}/${names[0]}', hive_partitioning = false)`);
    expect(one).toHaveLength(36);
    const codecs = await nativeQuery<{ c: string }>(`SELECT DISTINCT compression AS c FROM parquet_metadata('${dir}/**/*.parquet')`);
    expect(codecs.map((c) => c.c)).toEqual(['ZSTD']);
  });

  it('splits a partition over part-0, part-1, … past maxRowsPerFile', async () => {
    const split = await exportHiveFiles(db, PQ, { maxRowsPerFile: 40 });
    const big = split.partitions.find((p) => p.rows > 80)!;
    expect(big).toBeDefined();
    const parts = split.files.filter((f) => f.path.startsWith(`date=${big.date}/instance=${hiveEscape(big.instance)}/`));
    expect(parts.map((f) => f.rows)).toEqual([...Array(Math.ceil(big.rows / 40))].map((_, i) => Math.min(40, big.rows - 40 * i)));
  });

  it('writes the same files with one query per partition (the slower strategy kept for measuring)', async () => {
    const small = await openNodeDuckDb();
    const some = generatedToots(400, 9);
    await loadToots(small, some);
    const split = await exportHiveFiles(small, PQ, { maxRowsPerFile: 10 });
    const per = await exportHiveFiles(small, PQ, { strategy: 'per-partition', maxRowsPerFile: 10 });
    expect(per.files.map((f) => [f.path, f.rows])).toEqual(split.files.map((f) => [f.path, f.rows]));
    expect(per.files.some((f) => f.path.endsWith('/part-1.parquet'))).toBe(true);
    const d2 = mkdtempSync(path.join(tmpdir(), 'tootscope-hive-'));
    unzipTo(zipHive(per.files), d2);
    const [n] = await nativeQuery<{ n: string; uris: string }>(
      `SELECT count(*) AS n, count(DISTINCT uri) AS uris FROM read_parquet('${d2}/**/*.parquet', hive_partitioning = true)`,
    );
    expect(n).toEqual({ n: String(some.length), uris: String(some.length) });
    await small.close();
  });

  it('runs every query in docs/SCALING.md over the export', async () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/SCALING.md'), 'utf8');
    const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll("'export/", `'${dir}/`));
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const q of queries) {
      const out = await nativeQuery(q.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean));
      expect(out.length, q).toBeGreaterThan(0);
    }
  });
});
