import { describe, expect, it } from 'vitest';
import { A, B, openLocalData as open, posts, write } from './helpers/local-data';
import { BatchStore, StorageFullError } from '../../src/store/wal/batch-store';
import { LocalData, type Reloading } from '../../src/store/local-data';
import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';

async function state(data: LocalData) {
  const [c] = await data.db.query<{ n: number; u: number; seen: string }>(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT uri)::INTEGER AS u, string_agg(concat_ws('=', uri, seen_on::VARCHAR, favourites, id, url, username, created_at, created_at_str), ';' ORDER BY uri) AS seen FROM toots`,
  );
  return c!;
}

describe('compaction into a Parquet snapshot', () => {
  it('reloads to the same table from snapshot + later batches, and keeps deletes that came first', async () => {
    const one = await open('compact-1');
    const first = posts(40);
    await write(one, first);
    const shared = first.slice(0, 5).map((s) => ({ ...s, id: String(BigInt(s.id) + 7n), favourites_count: 99 }));
    await write(one, shared, B);
    await write(one, [], A, [{ base_url: A, id: first[6]!.id }, { base_url: A, id: '999999' }]);
    expect(await one.compact()).toBe(true);
    expect(await one.store.loadAfter(-1)).toEqual([]);
    const late = posts(10);
    await write(one, late);
    await write(one, [], B, [{ base_url: B, id: shared[1]!.id }]);
    const before = await state(one);
    expect(before.n).toBe(40 - 1 - 1 + 10);

    const two = await open('compact-1');
    expect(two.appliedSeq).toBe(one.appliedSeq);
    expect(await state(two)).toEqual(before);
    // A delete seen before its post (id 999999 on A) still applies after the snapshot.
    const ghost = { ...posts(1)[0]!, id: '999999' };
    await write(two, [ghost]);
    expect((await state(two)).n).toBe(before.n);
  });

  it('a tab that dies before the snapshot commits loses and doubles nothing', async () => {
    const one = await open('compact-2');
    await write(one, posts(30));
    await write(one, posts(30));
    const before = await state(one);
    // The tab dies mid-compaction: the snapshot is put and the old batches deleted, then the
    // transaction ends without committing (as when the tab is killed), so neither may stick.
    const realDelete = IDBObjectStore.prototype.delete;
    IDBObjectStore.prototype.delete = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
      const req = realDelete.call(this, query);
      this.transaction.abort();
      return req;
    };
    try {
      await expect(one.compact()).rejects.toThrow();
    } finally {
      IDBObjectStore.prototype.delete = realDelete;
    }
    expect(await one.store.snapshotSeq()).toBe(-1);
    const two = await open('compact-2');
    expect(await state(two)).toEqual(before);

    expect((await one.store.loadAfter(-1)).length).toBe(2);
    // And one that dies right after the commit: the new tab sees the snapshot, not the batches too.
    expect(await one.compact()).toBe(true);
    const three = await open('compact-2');
    expect(await state(three)).toEqual(before);
    expect((await three.store.loadAfter(-1)).length).toBe(0);
  });

  it('a reader that missed compacted batches rebuilds from the snapshot', async () => {
    const writer = await open('compact-3');
    const loads: Reloading[] = [];
    const reader = await open('compact-3', { onLoad: (r) => loads.push(r) });
    await write(writer, posts(20));
    expect(await reader.catchUp()).toBe(1);
    await write(writer, posts(20));
    await write(writer, posts(5));
    await writer.compact();
    await write(writer, posts(3));
    expect(loads).toEqual([]);
    await reader.catchUp();
    // The rebuild reports its progress as a reload does (the page shows it the same way).
    expect(loads.map((r) => [r.loaded, r.total])).toEqual([[0, 45], [45, 45]]);
    expect(await state(reader)).toEqual(await state(writer));
    expect((await state(reader)).n).toBe(48);
  });

  it('keeps what a tab collects after reloading a store the compaction emptied of batches', async () => {
    const one = await open('compact-5');
    await write(one, posts(20));
    await write(one, posts(20));
    expect(await one.compact()).toBe(true);
    expect(await one.store.loadAfter(-1)).toEqual([]);
    // A new tab: the snapshot covers batches 0 and 1, none is stored. Its batches must come after.
    const two = await open('compact-5');
    await write(two, posts(7));
    expect((await state(two)).n).toBe(47);
    await write(two, posts(3));
    const three = await open('compact-5');
    expect(await state(three)).toEqual(await state(two));
    expect((await state(three)).n).toBe(50);
    await three.compact();
    expect((await state(await open('compact-5'))).n).toBe(50);
  });

  it('writes the snapshot smaller than the batches it replaces', async () => {
    const one = await open('compact-4');
    for (let i = 0; i < 5; i++) await write(one, posts(200));
    const batchBytes = (await one.store.loadAfter(-1)).reduce((a, b) => a + (b.ipc?.byteLength ?? 0), 0);
    await one.compact();
    const snap = (await one.store.snapshot())!;
    expect(snap.rows).toBe(1000);
    const stored = snap.segments.reduce((n, s) => n + s.bytes, 0);
    expect(stored).toBeLessThan(batchBytes / 2);
  });
});

describe('compaction into segments', () => {
  it('appends a segment per compaction and rewrites only the segments later batches changed', async () => {
    const one = await open('segments-1');
    const first = posts(30);
    await write(one, first);
    expect(await one.compact()).toBe(true);
    const second = posts(20);
    await write(one, second);
    expect(await one.compact()).toBe(true);
    let snap = (await one.store.snapshot())!;
    expect(snap.segments.map((s) => [s.id, s.rows])).toEqual([[0, 30], [1, 20]]);
    const seg1 = await one.store.segment(1);

    // An edit of a post in segment 0 and a delete of one in segment 0: only segment 0 is rewritten.
    const edited = { ...first[3]!, content: '<p>edited</p>', edited_at: '2026-01-02T00:00:00.000Z', favourites_count: 1234 };
    await write(one, [edited]);
    await write(one, [], A, [{ base_url: A, id: first[4]!.id }]);
    await write(one, posts(5));
    const before = await state(one);
    expect(await one.compact()).toBe(true);
    snap = (await one.store.snapshot())!;
    expect(snap.segments.map((s) => [s.id, s.rows])).toEqual([[0, 29], [1, 20], [2, 5]]);
    expect(await one.store.segment(1)).toEqual(seg1);
    expect(await one.store.loadAfter(-1)).toEqual([]);

    // A reload from segments alone gives the same table, edit and delete included.
    const two = await open('segments-1');
    expect(await state(two)).toEqual(before);
    const [e] = await two.db.query<{ fav: number }>(`SELECT favourites AS fav FROM toots WHERE id = '${first[3]!.id}'`);
    expect(e?.fav).toBe(1234);
  });

  it('drops a segment whose rows are all gone and keeps a failed compaction undone', async () => {
    const one = await open('segments-2');
    const first = posts(3);
    await write(one, first);
    await one.compact();
    await write(one, posts(4));
    await write(one, [], A, first.map((s) => ({ base_url: A, id: s.id })));
    const before = await state(one);
    expect(before.n).toBe(4);

    // The commit fails (as when the quota is full): nothing changes in IndexedDB, and the rows stay
    // due for the next compaction, which then succeeds.
    const commit = one.store.commitCompaction;
    one.store.commitCompaction = () => Promise.reject(new StorageFullError('the browser storage quota is full'));
    try {
      await expect(one.compact()).rejects.toThrow(/quota/);
    } finally {
      one.store.commitCompaction = commit;
    }
    expect((await one.store.snapshot())!.segments.map((s) => s.id)).toEqual([0]);
    expect(await one.compact()).toBe(true);
    const snap = (await one.store.snapshot())!;
    expect(snap.segments.map((s) => [s.id, s.rows])).toEqual([[1, 4]]);
    expect(await one.store.segment(0)).toBeNull();
    const two = await open('segments-2');
    expect(await state(two)).toEqual(before);
  });

  it('a reload reports how far it is, with the summary the manifest stored', async () => {
    const one = await open('segments-progress');
    await write(one, posts(30));
    expect(await one.compact()).toBe(true);
    await write(one, posts(20), B);
    expect(await one.compact()).toBe(true);
    const [stored] = await one.db.query<Summary>(SUMMARY_SQL);
    expect(stored!.toots).toBe(50);
    // Replayed after the segments, so not in the stored summary.
    await write(one, posts(4));
    const seen: Reloading[] = [];
    const two = await open('segments-progress', { onLoad: (r) => seen.push(r) });
    expect(seen.map((r) => [r.loaded, r.total])).toEqual([[0, 50], [30, 50], [50, 50]]);
    for (const r of seen) expect(r.saved).toEqual(stored);
    expect((await state(two)).n).toBe(54);
    // The same, from IndexedDB alone, for the page to show while DuckDB starts.
    expect(await LocalData.storedSummary(two.store)).toEqual({ ...seen[0], saved: stored });
    // Nothing to load from an empty store, so nothing reported.
    const empty: Reloading[] = [];
    const none = await open('segments-progress-empty', { onLoad: (r) => empty.push(r) });
    expect(empty).toEqual([]);
    expect(await LocalData.storedSummary(none.store)).toBeNull();
  });
});

describe('BatchStore appends', () => {
  it('numbers overlapping appends in order and keeps both', async () => {
    const store = await BatchStore.open('append-race');
    const [a, b] = await Promise.all([store.append({ ipc: null, deletes: [] }, 0), store.append({ ipc: null, deletes: [] }, 0)]);
    expect([a.seq, b.seq]).toEqual([0, 1]);
    expect((await store.loadAfter(-1)).map((x) => x.seq)).toEqual([0, 1]);
  });
});
