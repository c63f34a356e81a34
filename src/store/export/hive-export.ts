import { tableToIPC, type Table } from 'apache-arrow';
import { zipSync, type Zippable } from 'fflate';
import type { AnalyticsDb } from '../../db/analytics-db';
import { TOOT_COLUMNS } from '../../core/toot';
import { markTimestampsUtc } from '../parquet/parquet-wasm';
import type { ParquetCodec } from '../archive/snapshot';
import type { InstanceSoftware } from './stored-export';

/**
 * The toot table as a Hive-partitioned Parquet tree in one zip, for engines that outgrow the
 * browser (docs/SCALING.md):
 *
 *   date=2026-11-23/instance=mastodon.social/part-0.parquet
 *   date=2026-11-23/instance=127.0.0.1%3A8080/part-0.parquet
 *
 * `date` is the UTC date of `created_ts`, `instance` the server it was collected from (the host of
 * `base_url`). Not the author's server (`from_instance`): a day of one instance's public timeline
 * holds posts of hundreds to thousands of servers, and one file per author's server made most
 * files a few dozen rows under ~10 KB of Parquet footer each (1.6 M generated toots from 300
 * servers: 11,674 objects in the bucket, median 31 rows; by the collecting instance, 40; issue 20).
 * The author's server stays a column of every file.
 *
 * The partition columns are kept OUT of the files (Hive style): each file holds exactly the 36
 * columns of SCHEMA.md with its types, and the path supplies `date` and `instance`. Native DuckDB's
 * `read_parquet('…/**\/*.parquet', hive_partitioning=true)` then reads `date` as DATE and `instance`
 * as VARCHAR (with `%3A` decoded back to `:`), next to the file columns; checked in
 * test/unit/hive-export.test.ts. Keeping them in as well reads fine in DuckDB too, but Spark
 * refuses a column that is both in the files and in the paths, and pyarrow's dataset complains
 * likewise; nothing is lost by leaving them out, since `created_ts` and `base_url` are there.
 */

/** Rows per Parquet file at most: a bigger partition is split into part-0, part-1, … */
export const MAX_ROWS_PER_FILE = 1_000_000;

/** Hive's name for a null or empty partition value (DuckDB, Spark and pyarrow read it as NULL). */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/**
 * A partition value as a path segment. Hive escapes `:` `/` `=` `%` and friends as `%XX`; we escape
 * every byte outside `[A-Za-z0-9._-]` the same way, so a host with a port (`127.0.0.1:8080` →
 * `127.0.0.1%3A8080`) or an IPv6 literal is a valid segment on every file system and in a zip.
 */
export function hiveEscape(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return HIVE_NULL;
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface HivePartition {
  /** `YYYY-MM-DD` (UTC), or null when `created_ts` is null. */
  date: string | null;
  instance: string | null;
  rows: number;
}

export interface HiveFile {
  path: string;
  rows: number;
  bytes: Uint8Array;
}

export interface HiveExport {
  files: HiveFile[];
  partitions: HivePartition[];
  rows: number;
  /** Milliseconds spent querying DuckDB, writing Parquet, zipping. */
  timings: { queryMs: number; parquetMs: number; zipMs: number };
}

export type HiveProgress =
  | { step: 'query' }
  | { step: 'parquet'; done: number; total: number }
  | { step: 'zip' };

export interface HiveOptions {
  /**
   * Runs the DuckDB part. In the page this is `app.exclusive`, so no merge is half-applied on the
   * shared connection while we read and both queries below see the same table.
   */
  run?: <T>(fn: () => Promise<T>) => Promise<T>;
  onProgress?: (p: HiveProgress) => void;
  /**
   * `split` (default): one ordered query, the Arrow result sliced into partitions in JS.
   * `per-partition`: one query with a WHERE per partition (what `queryToParquet` does), each
   * written on its own. Kept for the measurement in
   * bench/hive-export.ts (npm run bench:hive); `split` was faster at every size tried.
   */
  strategy?: 'split' | 'per-partition';
  maxRowsPerFile?: number;
  /** The table or view to read, shaped like `toots` (default). The bucket sink reads one segment's rows. */
  from?: string;
}

const COLUMNS = TOOT_COLUMNS.map(([n]) => n).join(', ');
/** Plain TIMESTAMP → DATE: no time zone functions (no ICU in DuckDB-WASM offline). */
const DATE_KEY = 'created_ts::DATE';
/** The host of `base_url` (`https://host:port`), NULL when there is none (an import may lack it). */
const INSTANCE_KEY = "nullif(split_part(base_url, '/', 3), '')";
const PARTITIONS_SQL = (from: string) => `SELECT strftime(${DATE_KEY}, '%Y-%m-%d') AS date, ${INSTANCE_KEY} AS instance, count(*)::INTEGER AS rows
  FROM ${from} GROUP BY ALL ORDER BY date NULLS LAST, instance NULLS LAST`;
/** Rows in partition order: the counts above, in the same order, cut it into partitions. */
const ORDERED_SQL = (from: string) => `SELECT ${COLUMNS} FROM ${from}
  ORDER BY ${DATE_KEY} NULLS LAST, ${INSTANCE_KEY} NULLS LAST, created_ts, uri`;

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

function partitionWhere(p: HivePartition): string {
  const date = p.date === null ? `${DATE_KEY} IS NULL` : `${DATE_KEY} = DATE ${sqlString(p.date)}`;
  const inst = p.instance === null ? `${INSTANCE_KEY} IS NULL` : `${INSTANCE_KEY} = ${sqlString(p.instance)}`;
  return `${date} AND ${inst}`;
}

export function partitionDir(p: Pick<HivePartition, 'date' | 'instance'>): string {
  return `date=${hiveEscape(p.date)}/instance=${hiveEscape(p.instance)}`;
}

/** zstd Parquet of rows read from DuckDB, timestamps marked UTC as in the one-file export. */
function writeParquet(codec: ParquetCodec, table: Table): Promise<Uint8Array> {
  return codec.write(tableToIPC(markTimestampsUtc(table), 'stream'));
}

/** Yields the breaks of `rows` into files of at most `max` rows: [offset, length]. */
function* fileSlices(rows: number, max: number): Generator<[number, number]> {
  for (let at = 0; at < rows; at += max) yield [at, Math.min(max, rows - at)];
}

/**
 * Every partition's Parquet files, without the zip. `codec` writes zstd Parquet from Arrow IPC
 * (parquetCodec(pq) in tests, the parquet worker in the page so the page keeps drawing).
 */
export async function exportHiveFiles(db: AnalyticsDb, codec: ParquetCodec, opts: HiveOptions = {}): Promise<HiveExport> {
  const run = opts.run ?? (<T>(fn: () => Promise<T>) => fn());
  const max = Math.max(1, opts.maxRowsPerFile ?? MAX_ROWS_PER_FILE);
  const strategy = opts.strategy ?? 'split';
  const from = opts.from ?? 'toots';
  const files: HiveFile[] = [];
  const timings = { queryMs: 0, parquetMs: 0, zipMs: 0 };
  opts.onProgress?.({ step: 'query' });
  let t0 = performance.now();

  if (strategy === 'per-partition') {
    const partitions = await run(async () => {
      const parts = await db.query<HivePartition>(PARTITIONS_SQL(from));
      for (const [i, p] of parts.entries()) {
        opts.onProgress?.({ step: 'parquet', done: i, total: parts.length });
        const base = `SELECT ${COLUMNS} FROM ${from} WHERE ${partitionWhere(p)} ORDER BY created_ts, uri`;
        for (const [at, n] of fileSlices(p.rows, max)) {
          const sql = p.rows > max ? `${base} LIMIT ${n} OFFSET ${at}` : base;
          files.push({ path: `${partitionDir(p)}/part-${at / max}.parquet`, rows: n, bytes: await writeParquet(codec, await db.queryArrow(sql)) });
        }
      }
      return parts;
    });
    timings.parquetMs = performance.now() - t0;
    return { files, partitions, rows: partitions.reduce((s, p) => s + p.rows, 0), timings };
  }

  const { partitions, table } = await run(async () => ({
    partitions: await db.query<HivePartition>(PARTITIONS_SQL(from)),
    table: await db.queryArrow(ORDERED_SQL(from)),
  }));
  timings.queryMs = performance.now() - t0;
  const total = partitions.reduce((s, p) => s + p.rows, 0);
  if (total !== table.numRows) throw new Error(`partition counts (${total}) do not add up to the rows read (${table.numRows})`);
  t0 = performance.now();
  let offset = 0;
  for (const [i, p] of partitions.entries()) {
    opts.onProgress?.({ step: 'parquet', done: i, total: partitions.length });
    for (const [at, n] of fileSlices(p.rows, max)) {
      const slice = table.slice(offset + at, offset + at + n);
      files.push({ path: `${partitionDir(p)}/part-${at / max}.parquet`, rows: n, bytes: await writeParquet(codec, slice) });
    }
    offset += p.rows;
  }
  timings.parquetMs = performance.now() - t0;
  return { files, partitions, rows: total, timings };
}

/**
 * The zip: entries stored (level 0), since zstd Parquet does not deflate further. Plain zip, not
 * zip64: fine below 4 GB, which is beyond what DuckDB-WASM holds in a tab anyway (DUCKDB-WASM.md).
 */
/** The zip's `instances.json`: each `base_url`'s server software (docs/SCHEMA.md § Export metadata). */
export const INSTANCES_FILE = 'instances.json';

export function zipHive(files: readonly HiveFile[], instances?: readonly InstanceSoftware[]): Uint8Array {
  const tree: Zippable = {};
  for (const f of files) tree[f.path] = [f.bytes, { level: 0 }];
  // Beside the tree, not in it: a `**/*.parquet` glob and our own import pass it by.
  if (instances) tree[INSTANCES_FILE] = [new TextEncoder().encode(JSON.stringify(instances, null, 1)), { level: 6 }];
  return zipSync(tree, { level: 0 });
}

export async function exportHiveZip(
  db: AnalyticsDb, codec: ParquetCodec, opts: HiveOptions & { instances?: readonly InstanceSoftware[] } = {},
): Promise<HiveExport & { zip: Uint8Array }> {
  const out = await exportHiveFiles(db, codec, opts);
  opts.onProgress?.({ step: 'zip' });
  const t0 = performance.now();
  const zip = zipHive(out.files, opts.instances);
  out.timings.zipMs = performance.now() - t0;
  return { ...out, zip };
}

/** `tootscope-hive-2026-11-23T12-00-00.zip` */
export function hiveZipName(now = new Date()): string {
  return `tootscope-hive-${now.toISOString().replace(/[:.]/g, '-').slice(0, 19)}.zip`;
}
