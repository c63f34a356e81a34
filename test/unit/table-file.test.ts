import { describe, expect, it } from 'vitest';
import { A, codec, exportedFile, fileFingerprint, holdCommit, posts, storeBatch, tableFingerprint, write } from './helpers/local-data';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { BatchStore } from '../../src/store/wal/batch-store';
import { LocalData } from '../../src/store/local-data';
import { cutShort, fileProblem } from '../../src/store/table-file';
import type { AnalyticsDb } from '../../src/db/analytics-db';

/**
 * DuckDB's database file as a cache (issue 15). A reopened file is played here by one DuckDB
 * kept across two `LocalData`s: what the first left in the tables, including its meta row, is
 * what the second finds, as a reload finds the file.
 */
async function reopen(db: AnalyticsDb, name: string, rowGroupRows?: number) {
  const store = await BatchStore.open(name);
  const read: number[] = [];
  const loadAfter = store.loadAfter.bind(store);
  store.loadAfter = async (seq) => {
    const found = await loadAfter(seq);
    read.push(...found.map((b) => b.seq));
    return found;
  };
  const problem = await fileProblem(db, store);
  const data = problem ? null : await LocalData.open(db, [], async () => codec, { store, file: true, mergeBelowRows: 0, rowGroupRows });
  return { data, problem, read };
}

const count = async (data: LocalData) => (await tableFingerprint(data)).n;
const exported = async (data: LocalData) => fileFingerprint(await exportedFile(data));

describe("DuckDB's table in a database file", () => {
  it('resumes where its meta row says: replays only the batches after it', async () => {
    const db = await openNodeDuckDb();
    const one = (await reopen(db, 'file-resume')).data!;
    await write(one, posts(10));
    await one.compact();
    await write(one, posts(5));
    const two = await reopen(db, 'file-resume');
    expect(two.problem).toBeNull();
    expect(two.read).toEqual([]);
    expect(await count(two.data!)).toBe(15);
    // A batch another tab wrote meanwhile is the only one replayed.
    const other = await BatchStore.open('file-resume');
    await other.loadAfter(-1);
    await other.append({ ipc: null, deletes: [{ base_url: A, id: 'nothing-stored' }] }, 0);
    const three = await reopen(db, 'file-resume');
    expect(three.read).toEqual([2]);
    await three.data!.compact();
    expect(await exported(three.data!)).toEqual(await tableFingerprint(three.data!));
    await db.close();
  });

  it("names its data the same after a reopen, and differently after any change or in another collection", async () => {
    const db = await openNodeDuckDb();
    const one = (await reopen(db, 'file-stamp')).data!;
    const first = posts(10);
    await write(one, first);
    const stamp = await one.stamp();
    await one.compact();
    // A compaction moves rows into a segment and changes none of them.
    expect(await one.stamp()).toBe(stamp);
    const two = (await reopen(db, 'file-stamp')).data!;
    expect(await two.stamp()).toBe(stamp);
    // A delete of a stored post changes the table, and the stamp with it.
    await write(two, [], A, [{ base_url: A, id: first[0]!.id }]);
    expect(await count(two)).toBe(9);
    expect(await two.stamp()).not.toBe(stamp);
    await db.close();
    // The same number of batches in another browser's collection of other toots.
    const other = await openNodeDuckDb();
    const elsewhere = (await reopen(other, 'file-stamp-other')).data!;
    await write(elsewhere, posts(10, 3));
    expect(JSON.parse(await elsewhere.stamp())[0]).toBe(JSON.parse(stamp)[0]);
    expect(await elsewhere.stamp()).not.toBe(stamp);
    await other.close();
  });

  it("compacts inside the checkpoint of a full row group, and makes no checkpoint of its own", async () => {
    const db = await openNodeDuckDb();
    const events: string[] = [];
    // The row group's checkpoint is held until the compaction has encoded its segment.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const exec = db.exec.bind(db);
    db.exec = async (sql) => {
      for (const q of typeof sql === 'string' ? [sql] : sql) {
        if (q.trim() !== 'CHECKPOINT') continue;
        events.push('checkpoint');
        await held;
      }
      return exec(sql);
    };
    const one = (await reopen(db, 'file-row-group', 30)).data!;
    const commit = one.store.commitCompaction.bind(one.store);
    one.store.commitCompaction = async (...args) => {
      events.push('commit');
      return commit(...args);
    };
    const runs: Array<Promise<boolean>> = [];
    one.onCompaction = (run) => runs.push(run);
    const writeSegment = codec.writeSegment;
    let encoded!: () => void;
    const encodedOnce = new Promise<void>((r) => (encoded = r));
    codec.writeSegment = async (ipc, rebuild) => {
      const out = await writeSegment(ipc, rebuild);
      encoded();
      return out;
    };
    try {
      await write(one, posts(20));
      expect(runs).toEqual([]);
      // 40 rows: the row group of 30 fills inside this batch's merge.
      const second = write(one, posts(20));
      await encodedOnce;
      await new Promise((r) => setImmediate(r));
      // Encoded, but the batches stay until the checkpoint holding their rows is done.
      expect(events).toEqual(['checkpoint']);
      release();
      await second;
    } finally {
      codec.writeSegment = writeSegment;
      release();
    }
    expect(runs).toHaveLength(1);
    expect(await runs[0]).toBe(true);
    await one.table.exclusive(async () => undefined);
    // The batches it deleted were in the checkpoint before the commit; nothing checkpoints after it.
    expect(events).toEqual(['checkpoint', 'commit']);
    expect((await one.store.snapshot())!.upToSeq).toBe(0);
    const two = await reopen(db, 'file-row-group', 30);
    expect(two.problem).toBeNull();
    expect(await count(two.data!)).toBe(40);
    expect(await exported(two.data!)).toEqual(await tableFingerprint(two.data!));
    await db.close();
  });

  it('keeps the segments an edit changed as changed across a reopen, so the next compaction rewrites them', async () => {
    const db = await openNodeDuckDb();
    const one = (await reopen(db, 'file-dirty')).data!;
    const first = posts(10);
    await write(one, first);
    await one.compact();
    await write(one, [{ ...first[2]!, content: '<p>edited</p>', edited_at: '2026-01-03T00:00:00.000Z', favourites_count: 7 }]);
    const two = (await reopen(db, 'file-dirty')).data!;
    await two.compact();
    // Without the changed segment rewritten, the export would copy the stale stored row.
    expect(await exported(two)).toEqual(await tableFingerprint(two));
    await db.close();
  });

  it('undoes a compaction the file planned but IndexedDB never committed, and adopts one it did', async () => {
    const db = await openNodeDuckDb();
    const one = (await reopen(db, 'file-plan')).data!;
    await write(one, posts(6));
    await one.compact();
    await write(one, posts(4));
    const hold = holdCommit(one.store);
    void one.compact();
    await hold.planned;
    // The tab dies here: the file has 4 rows tagged for segment 1, IndexedDB's manifest only segment 0.
    const two = await reopen(db, 'file-plan');
    expect(two.problem).toBeNull();
    expect(await count(two.data!)).toBe(10);
    // Left tagged, the 4 rows would be in no stored segment and not encoded afresh either.
    expect(await exported(two.data!)).toEqual(await tableFingerprint(two.data!));
    await two.data!.compact();
    expect((await two.data!.store.snapshot())!.segments.map((s) => [s.id, s.rows])).toEqual([[0, 6], [1, 4]]);
    expect(await exported(two.data!)).toEqual(await tableFingerprint(two.data!));

    // The commit happened and the tab died before the meta row said so: adopted on reopen.
    await write(two.data!, posts(4));
    const commit = two.data!.store.commitCompaction.bind(two.data!.store);
    let committed!: () => void;
    const done = new Promise<void>((r) => (committed = r));
    two.data!.store.commitCompaction = async (...args) => {
      await commit(...args);
      committed();
      await new Promise(() => undefined); // never returns: the tab is gone
    };
    void two.data!.compact();
    await done;
    const three = await reopen(db, 'file-plan');
    expect(three.problem).toBeNull();
    expect(three.read).toEqual([]);
    await write(three.data!, posts(3));
    await three.data!.compact();
    expect((await three.data!.store.snapshot())!.segments.map((s) => [s.id, s.rows])).toEqual([[0, 6], [1, 4], [2, 4], [3, 3]]);
    expect(await exported(three.data!)).toEqual(await tableFingerprint(three.data!));
    await db.close();
  });

  it('is refused when it disagrees with IndexedDB, or another DuckDB or schema wrote it', async () => {
    const db = await openNodeDuckDb();
    const one = (await reopen(db, 'file-refused')).data!;
    await write(one, posts(3));
    await write(one, posts(3));
    expect((await reopen(db, 'file-refused')).problem).toBeNull();
    // Site data partly cleared: IndexedDB no longer has the batch the file holds.
    await one.store.remove(1);
    expect((await reopen(db, 'file-refused')).problem).toMatch(/no longer have/);
    await write(one, posts(3));
    // Another tab collected and compacted past what the file holds.
    await db.exec('UPDATE table_meta SET applied_seq = 0');
    const other = await BatchStore.open('file-refused');
    await other.commitCompaction({ upToSeq: 2, rows: 0, segments: [], sightings: null, tombstones: null, deletedUris: null, writtenAt: 1 }, [], []);
    expect((await reopen(db, 'file-refused')).problem).toMatch(/compacted away/);
    await db.exec('UPDATE table_meta SET applied_seq = 2');
    expect((await reopen(db, 'file-refused')).problem).toMatch(/another tab compacted/);
    await db.exec("UPDATE table_meta SET manifest_seq = 2, manifest_at = 1, duckdb_version = 'v1.3.2'");
    expect((await reopen(db, 'file-refused')).problem).toMatch(/written by DuckDB v1\.3\.2, and this page runs DuckDB v1\.4\.3/);
    await db.exec("UPDATE table_meta SET duckdb_version = (SELECT library_version FROM pragma_version()), schema_version = 0");
    expect((await reopen(db, 'file-refused')).problem).toMatch(/another version of Tootscope/);
    await db.exec('DELETE FROM table_meta');
    expect((await reopen(db, 'file-refused')).problem).toMatch(/does not say which stored toots/);
    await db.close();
  });

  it("takes up a first open cut off between its tables and its meta row as a new file, and not a file with rows", async () => {
    const db = await openNodeDuckDb();
    const one = (await reopen(db, 'file-first-cut')).data!;
    // The kill came before the meta row: the tables are there, empty, and collection has stored
    // batches in IndexedDB meanwhile (it does not wait for DuckDB).
    await db.exec('DELETE FROM table_meta');
    const stored = await storeBatch(one.store, posts(4));
    const two = await reopen(db, 'file-first-cut');
    expect(two.problem).toBeNull();
    expect(await count(two.data!)).toBe(4);
    expect(two.read).toEqual([stored.seq]);
    // The same cut with rows in the table says so (a rebuild cut short, say).
    await db.exec('DELETE FROM table_meta');
    expect((await reopen(db, 'file-first-cut')).problem).toMatch(/does not say which stored toots/);
    await db.close();
  });

  it('takes a file whose size is not headers plus whole blocks for one cut short, before DuckDB opens it', () => {
    // duckdb-wasm 1.32 never returned from opening a file cut inside its headers.
    for (const whole of [null, 0, 12_288, 12_288 + 262_144, 12_288 + 16 * 262_144]) expect(cutShort(whole)).toBeNull();
    for (const cut of [6_144, 12_288 + 1000, 2_103_296]) expect(cutShort(cut)).toMatch(/^it was cut short \(/);
  });
});
