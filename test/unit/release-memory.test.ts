import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseByteSize, tableRows } from '../../src/db/analytics-db';
import { limitSetting, releaseMemory } from '../../src/db/release-memory';
import { newEngine } from './helpers/node-duckdb';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tootscope-release-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** DuckDB-WASM (the engine the page runs) on a database file, as the page opens its table file. */
async function fileDb() {
  const db = await newEngine();
  db.open({ path: path.join(dir, 'release.duckdb'), accessMode: 3 /* READ_WRITE */ });
  const conn = db.connect();
  const q = <T>(sql: string) => tableRows<T>(conn.query(sql));
  return { q, run: async (sql: string) => q(sql), close: () => db.reset() };
}

describe('releasing the memory DuckDB holds for its database file', () => {
  it('drops the blocks it read, and leaves the memory limit as it was', async () => {
    const { q, run, close } = await fileDb();
    const used = () => q<{ b: number }>('SELECT sum(memory_usage_bytes)::DOUBLE AS b FROM duckdb_memory()')[0]!.b;
    const limitBytes = () => parseByteSize(q<{ l: string }>(`SELECT current_setting('memory_limit') AS l`)[0]!.l);
    const before = limitBytes();
    const limit = limitSetting(q<{ l: string }>(`SELECT current_setting('memory_limit') AS l`)[0]!.l);
    expect(limit).toMatch(/^\d+MiB$/);
    q(`CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS s FROM range(1500000)`);
    q('CHECKPOINT');
    const distinct = () => q<{ n: number }>('SELECT count(DISTINCT s)::INTEGER AS n FROM t')[0]!.n;
    expect(distinct()).toBe(1_500_000);
    const held = used();
    expect(held).toBeGreaterThan(50e6);

    await releaseMemory(run, limit!, 1);
    expect(used()).toBeLessThan(held / 4);
    // The limit is DuckDB's own again (within the rounding of its text, "3.1 GiB"), in effect and
    // not only in name: a query that needs far more than the 1 MiB it evicted down to still runs
    // (after `RESET memory_limit` it failed).
    expect(Math.abs(limitBytes() - before) / before).toBeLessThan(0.05);
    expect(distinct()).toBe(1_500_000);
    close();
  });

  it('never touches a limit it cannot read', () => {
    expect(limitSetting('3.1 GiB')).toBe('3174MiB');
    expect(limitSetting('')).toBeNull();
    expect(limitSetting('12.0 MiB')).toBeNull();
  });
});
