import { describe, expect, it } from 'vitest';
import { openLocalData as open, posts, write } from './helpers/local-data';
import type { LocalData } from '../../src/store/local-data';

/** How DuckDB stores `toot_store.source`: compressed once a checkpoint rewrote it. */
async function sourceStorage(data: LocalData): Promise<string[]> {
  const rows = await data.db.query<{ c: string }>(
    `SELECT DISTINCT compression AS c FROM pragma_storage_info('toot_store') WHERE column_name = 'source' AND segment_type = 'VARCHAR' ORDER BY 1`,
  );
  return rows.map((r) => r.c);
}

describe('DuckDB checkpoints', () => {
  it('a reload leaves the table compressed, with every row', async () => {
    const one = await open('checkpoint-1');
    for (let i = 0; i < 3; i++) await write(one, posts(150));
    expect(await one.compact()).toBe(true);
    const two = await open('checkpoint-1');
    const [n] = await two.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots');
    expect(n!.n).toBe(450);
    const storage = await sourceStorage(two);
    expect(storage.length).toBeGreaterThan(0);
    expect(storage).not.toContain('Uncompressed');
  });
});
