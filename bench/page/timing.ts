import type { BrowserDb } from '../../src/db/duckdb-browser';
import { workerParquetCodec } from '../../src/store/archive/parquet-worker-client';
import type { ParquetCodec } from '../../src/store/archive/snapshot';
import { now, round } from './stats';

/** Timers around the app's pieces: the Parquet worker codec, and every DuckDB call by kind of statement. */

interface CodecTimes {
  writes: number[];
  reads: number[];
}
export const codecTimes: CodecTimes = { writes: [], reads: [] };

/** `fn`, with the time each call takes pushed onto `into`. */
function timed<A extends unknown[], R>(fn: (...args: A) => Promise<R>, into: number[]): (...args: A) => Promise<R> {
  return async (...args) => {
    const t0 = now();
    const out = await fn(...args);
    into.push(now() - t0);
    return out;
  };
}

export const timedCodec: ParquetCodec = {
  write: timed((ipc, rebuild) => workerParquetCodec.write(ipc, rebuild), codecTimes.writes),
  read: timed((parquet) => workerParquetCodec.read(parquet), codecTimes.reads),
  writeSegment: timed((ipc, rebuild) => workerParquetCodec.writeSegment(ipc, rebuild), codecTimes.writes),
  writeColumns: timed((ipc, rebuild) => workerParquetCodec.writeColumns(ipc, rebuild), codecTimes.writes),
  readStored: timed((parquet, seg, cuts, derived) => workerParquetCodec.readStored(parquet, seg, cuts, derived), codecTimes.reads),
};

/** `UPDATE toots`, `INSERT INTO sightings`, … : enough of a statement to tell the merge's steps apart. */
function statementLabel(sql: string): string {
  const flat = sql.trim().replace(/\s+/g, ' ');
  const m = /^(CREATE OR REPLACE (TEMP )?TABLE \w+|CREATE TABLE( IF NOT EXISTS)? \w+|INSERT INTO \w+|DELETE FROM \w+|UPDATE \w+|DROP TABLE( IF EXISTS)? \w+|BEGIN TRANSACTION|COMMIT|ROLLBACK|PRAGMA \w+)/i.exec(flat);
  if (m) return m[0];
  if (flat.startsWith('SELECT') && flat.includes('count(DISTINCT acct)')) return 'summary';
  return flat.slice(0, 40);
}

/** A script's first two statements that say what it does (not BEGIN or COMMIT), and how many more. */
function scriptLabel(statements: readonly string[]): string {
  const labels = statements.map(statementLabel).filter((l) => !/^(BEGIN TRANSACTION|COMMIT)$/.test(l));
  const named = labels.slice(0, 2).join(' + ') || statements.map(statementLabel).join(' + ');
  return labels.length > 2 ? `${named} + ${labels.length - 2} more` : named;
}

/**
 * Times every DuckDB call on `target` by kind of statement. Measured on the page, so a reply that
 * waits for a busy main thread counts that wait too: read it next to the long tasks.
 */
export function profileDb(target: BrowserDb) {
  const times = new Map<string, { n: number; ms: number }>();
  const add = (label: string, ms: number) => {
    const e = times.get(label) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += ms;
    times.set(label, e);
  };
  const orig = { exec: target.exec, insertIPC: target.insertIPC, query: target.query, queryArrow: target.queryArrow };
  // One call, as the app makes it (analytics-db.ts asOneScript), named by its first statements.
  target.exec = async (statements) => {
    const t0 = now();
    await orig.exec(statements);
    add(scriptLabel(typeof statements === 'string' ? [statements] : statements), now() - t0);
  };
  target.insertIPC = async (table, ipc, opts) => {
    const t0 = now();
    await orig.insertIPC(table, ipc, opts);
    add(`insertArrowFromIPCStream ${table}`, now() - t0);
  };
  target.query = (async (sql: string) => {
    const t0 = now();
    const out = await orig.query(sql);
    add(`query: ${statementLabel(sql)}`, now() - t0);
    return out;
  }) as BrowserDb['query'];
  target.queryArrow = async (sql) => {
    const t0 = now();
    const out = await orig.queryArrow(sql);
    add(`queryArrow: ${statementLabel(sql)}`, now() - t0);
    return out;
  };
  return {
    restore: () => void Object.assign(target, orig),
    table: () => Object.fromEntries([...times].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => [k, { n: v.n, ms: round(v.ms) }])),
  };
}
