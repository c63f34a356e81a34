import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { codec, openLocalData as open, posts, write } from './helpers/local-data';
import { CHECKPOINT_ROWS, rowGroupCuts } from '../../src/core/sql/checkpoints';
import type { LocalData } from '../../src/store/local-data';

/** How DuckDB stores a `toot_store` text column: compressed once a checkpoint rewrote it. */
async function storage(data: LocalData, column: string): Promise<string[]> {
  const rows = await data.db.query<{ c: string }>(
    `SELECT DISTINCT compression AS c FROM pragma_storage_info('toot_store') WHERE column_name = '${column}' AND segment_type = 'VARCHAR' ORDER BY 1`,
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
    const source = await storage(two, 'source');
    expect(source.length).toBeGreaterThan(0);
    expect(source).not.toContain('Uncompressed');
    // Except `acct`, kept plain for count(DISTINCT acct) (schema.ts).
    expect(await storage(two, 'acct')).toEqual(['Uncompressed']);
  });

  it('cuts a reload where DuckDB row groups fill up', async () => {
    expect(CHECKPOINT_ROWS).toBe(122_880);
    expect(rowGroupCuts(0, 50_000)).toEqual([]);
    expect(rowGroupCuts(100_000, 50_000)).toEqual([22_880]);
    expect(rowGroupCuts(0, 300_000)).toEqual([122_880, 245_760]);
    expect(rowGroupCuts(0, 122_880)).toEqual([122_880]);
    expect(rowGroupCuts(122_880, 10)).toEqual([]);

    const one = await open('checkpoint-2');
    await write(one, posts(40));
    await one.compact();
    const [seg] = (await one.store.snapshot())!.segments;
    const pieces = await codec.readStored((await one.store.segment(seg!.id))!, seg!.id, [15, 30, 99]);
    const tables = pieces.map((p) => tableFromIPC(p));
    expect(tables.map((t) => t.numRows)).toEqual([15, 15, 10]);
    expect(tables.every((t) => t.schema.fields.at(-2)?.name === 'seg' && t.schema.fields.at(-1)?.name === 'long_text')).toBe(true);
    expect(tables.flatMap((t) => Array.from(t.getChild('seg')!.toArray() as Int32Array))).toEqual(Array(40).fill(seg!.id));
  });
});
