import { describe, expect, it } from 'vitest';
import { tableToIPC } from 'apache-arrow';
import { A, B, openLocalData as open, posts, write } from './helpers/local-data';
import { ROLLUP_SUMMARY_SQL } from '../../src/core/sql/rollups';
import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';
import type { LocalData } from '../../src/store/local-data';

async function both(data: LocalData): Promise<[Summary, Summary]> {
  // Each rollup holds exactly the table's count per key, NULL included, and no key with none.
  for (const [table, key] of [['rollup_authors', 'acct'], ['rollup_instances', 'from_instance'], ['rollup_languages', 'language'], ['rollup_lengths', 'characters']]) {
    const held = await data.db.query(`SELECT ${key}::VARCHAR AS k, n::INTEGER AS n FROM ${table} ORDER BY ALL`);
    const counted = await data.db.query(`SELECT ${key}::VARCHAR AS k, count(*)::INTEGER AS n FROM toot_store GROUP BY ALL ORDER BY ALL`);
    expect(held, table).toEqual(counted);
  }
  const [exact] = await data.db.query<Summary>(SUMMARY_SQL);
  const [rolled] = await data.db.query<Summary>(ROLLUP_SUMMARY_SQL);
  return [rolled!, exact!];
}

describe('rollups behind the live summary', () => {
  it('equal the full summary through copies, edits, deletes of every kind, retention, compaction and reload', async () => {
    const one = await open('rollups-1');
    let [r0, e0] = await both(one);
    expect(r0).toEqual(e0);

    const first = posts(60, 1);
    await write(one, first);
    await write(one, posts(30, 5));
    [r0, e0] = await both(one);
    expect(r0).toEqual(e0);

    // Federated copies (same uris, other instance ids), and a copy repeated inside one batch.
    const copies = first.slice(0, 8).map((s) => ({ ...s, id: String(BigInt(s.id) + 5n) }));
    await write(one, [...copies, copies[0]!], B);
    // Edits that change the language and the length, and a language none is set for (stored as 'unknown').
    await write(one, [
      { ...first[12]!, language: null, edited_at: '2026-01-11T00:00:00.000Z' },
      { ...first[13]!, language: null, edited_at: '2026-01-11T00:00:00.000Z' },
      { ...first[10]!, language: 'xx', content: '<p>short</p>', edited_at: '2026-01-11T00:00:00.000Z' },
      { ...first[11]!, content: `<p>${'long '.repeat(300)}</p>`, edited_at: '2026-01-11T00:00:00.000Z' },
    ]);
    let [r, e] = await both(one);
    expect(r).toEqual(e);

    // Deletes: by the post's own id, by a copy's id (through sightings), before the post arrives.
    const early = posts(1, 6)[0]!;
    await write(one, [], A, [{ base_url: A, id: first[20]!.id }, { base_url: B, id: copies[1]!.id }, { base_url: A, id: early.id }]);
    await write(one, [early]);
    [r, e] = await both(one);
    expect(e.toots).toBe(60 + 30 - 2);
    expect(r).toEqual(e);

    // Retention drops the oldest day; compaction and a reload from segments keep the figures.
    await write(one, [], A, [], { olderThanMs: Date.UTC(2026, 0, 3) });
    [r, e] = await both(one);
    expect(e.toots).toBe(30);
    expect(r).toEqual(e);
    await one.compact();
    await write(one, posts(7, 9));
    const two = await open('rollups-1');
    const [r2, e2] = await both(two);
    expect(e2.toots).toBe(37);
    expect(r2).toEqual(e2);
    expect(await both(one)).toEqual([e2, e2]);
  });

  it('count NULL keys, which only an imported file can bring, like any other key', async () => {
    const one = await open('rollups-null');
    await write(one, posts(12, 2));
    // Rows as an imported Parquet file of ours could hold them: new posts, language and instance unknown.
    const foreign = (sql: string) => one.db.queryArrow(sql).then((t) => tableToIPC(t, 'stream'));
    const nulls = await foreign(`SELECT * REPLACE (uri || '/imported' AS uri, NULL::VARCHAR AS language, NULL::VARCHAR AS from_instance) FROM toots ORDER BY uri LIMIT 4`);
    await one.importBatch(nulls, 4);
    let [r, e] = await both(one);
    expect(e.toots).toBe(16);
    const [nullKeys] = await one.db.query<{ n: number }>(`SELECT n::INTEGER AS n FROM rollup_languages WHERE language IS NULL`);
    expect(nullKeys?.n).toBe(4);
    expect(r).toEqual(e);
    // A later version of two of them names a language: the NULL key drops to 2 (and goes at 0).
    const named = await foreign(`SELECT * REPLACE ('de' AS language, TIMESTAMP '2026-02-01' AS edited_at) FROM toots WHERE language IS NULL ORDER BY uri LIMIT 2`);
    await one.importBatch(named, 2);
    [r, e] = await both(one);
    expect(r).toEqual(e);
    await one.compact();
    const two = await open('rollups-null');
    const [r2, e2] = await both(two);
    expect([e2.toots, e2.languages]).toEqual([16, e.languages]);
    expect(r2).toEqual(e2);
  });
});
