import { describe, expect, it } from 'vitest';
import { A, exportedFile, fileFingerprint, holdCommit, openLocalData, posts, tableFingerprint, write } from './helpers/local-data';
import type { LocalData } from '../../src/store/local-data';
import { COMPACT_AFTER_MS, COMPACT_MIN_ROWS } from '../../src/store/archive/compaction-schedule';

/** Small segments (fewer than 25 rows here) are merged into the next compaction's segment. */
const open = (name: string) => openLocalData(name, { mergeBelowRows: 25 });

const table = tableFingerprint;
/** What the app's export holds, read back by native DuckDB. */
const exported = async (data: LocalData) => fileFingerprint(await exportedFile(data));

const segments = async (data: LocalData) => (await data.store.snapshot())!.segments.map((s) => [s.id, s.rows]);

describe('merging small segments', () => {
  it('merges them into the next segment, drops them, and reloads to the same table', async () => {
    const one = await open('merge-1');
    const first = posts(10);
    await write(one, first);
    await one.compact();
    expect(await segments(one)).toEqual([[0, 10]]);
    await write(one, posts(10));
    await one.compact();
    expect(await segments(one)).toEqual([[1, 20]]);
    expect(await one.store.segment(0)).toBeNull();
    // An edit of a merged row: the merged segment carries the new version.
    await write(one, [{ ...first[3]!, content: '<p>edited</p>', edited_at: '2026-01-03T00:00:00.000Z', favourites_count: 42 }]);
    await write(one, posts(10));
    await one.compact();
    expect(await segments(one)).toEqual([[2, 30]]);
    // 30 rows is no longer small: the next compaction leaves it as it is.
    const seg2 = await one.store.segment(2);
    await write(one, posts(5));
    await one.compact();
    expect(await segments(one)).toEqual([[2, 30], [3, 5]]);
    expect(await one.store.segment(2)).toEqual(seg2);

    const now = await table(one);
    expect(now.n).toBe(35);
    expect(await exported(one)).toEqual(now);
    const two = await open('merge-1');
    expect(await table(two)).toEqual(now);
  });

  it('keeps the export equal to the table while a merge waits for its commit, and after it fails', async () => {
    const one = await open('merge-2');
    const first = posts(10);
    await write(one, first);
    await one.compact();
    await write(one, posts(8));
    const hold = holdCommit(one.store);
    const compaction = one.compact();
    await hold.planned;
    // Between plan and commit: segment 0's rows are tagged with the new segment, its bytes still stored.
    expect(await exported(one)).toEqual(await table(one));
    // A delete of a merged row lands meanwhile; then the commit fails.
    await write(one, [], A, [{ base_url: A, id: first[0]!.id }]);
    hold.release(true);
    await expect(compaction).rejects.toThrow(/quota/);
    expect(await segments(one)).toEqual([[0, 10]]);
    const now = await table(one);
    expect(now.n).toBe(17);
    // Undone: segment 0's stored bytes still hold the deleted row, so it is not copied as clean.
    expect(await exported(one)).toEqual(now);
    expect(await table(await open('merge-2'))).toEqual(now);

    expect(await one.compact()).toBe(true);
    expect(await segments(one)).toEqual([[1, 17]]);
    expect(await exported(one)).toEqual(now);
    const two = await open('merge-2');
    expect(await table(two)).toEqual(now);
    expect(await two.store.loadAfter(-1)).toEqual([]);
  });

  it('compacts a slow stream once COMPACT_AFTER_MS has passed with rows waiting', async () => {
    const one = await open('merge-3');
    const t = Date.now();
    expect(one.wantsCompaction(t + COMPACT_AFTER_MS)).toBe(false);
    await write(one, posts(3));
    expect(one.wantsCompaction(t)).toBe(false);
    expect(one.wantsCompaction(t + COMPACT_AFTER_MS + 1000)).toBe(true);
    await one.compact();
    const after = Date.now();
    expect(one.wantsCompaction(after + COMPACT_AFTER_MS + 1000)).toBe(false);
    await write(one, posts(1));
    expect(one.wantsCompaction(after + COMPACT_AFTER_MS - 1000)).toBe(false);
    expect(one.wantsCompaction(after + COMPACT_AFTER_MS + 1000)).toBe(true);
    // A failed compaction is retried only after a full interval, even with 50 k rows waiting.
    const hold = holdCommit(one.store);
    hold.release(true);
    await expect(one.compact()).rejects.toThrow(/quota/);
    const failed = Date.now();
    one.noteFlushed(COMPACT_MIN_ROWS);
    expect(one.wantsCompaction(failed + 1000)).toBe(false);
    expect(one.wantsCompaction(failed + COMPACT_AFTER_MS + 1000)).toBe(true);
    expect(await one.compact()).toBe(true);
    await write(one, posts(1));
    one.noteFlushed(COMPACT_MIN_ROWS);
    expect(one.wantsCompaction(Date.now())).toBe(true);
  });
});
