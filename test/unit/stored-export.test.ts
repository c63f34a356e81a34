import { describe, expect, it } from 'vitest';
import { nativeQuery } from './helpers/native-duckdb';
import { A, exportedFile, fileFingerprint, holdCommit, openLocalData as open, posts, tableFingerprint, write as writeOn } from './helpers/local-data';
import type { LocalData } from '../../src/store/local-data';
import type { MastodonStatus } from '../../src/core/mastodon';

const write = (data: LocalData, statuses: MastodonStatus[], deletes: Array<{ base_url: string; id: string }> = []) => writeOn(data, statuses, A, deletes);

const exported = exportedFile;

describe('export from stored segments', () => {
  it('copies clean segments, re-encodes changed ones and the newest batches, and equals the table', async () => {
    const one = await open('export-1');
    const first = posts(40);
    await write(one, first);
    await one.compact();
    await write(one, posts(25));
    await one.compact();
    // Segment 0 changes (an edit and a delete); the last batch is in no segment yet.
    await write(one, [{ ...first[2]!, content: '<p>edited</p>', edited_at: '2026-01-03T00:00:00.000Z', favourites_count: 77 }]);
    await write(one, [], [{ base_url: A, id: first[5]!.id }]);
    await write(one, posts(7));
    expect([...one.table.dirty]).toEqual([0]);

    const file = await exported(one);
    const app = await tableFingerprint(one);
    const got = await fileFingerprint(file);
    expect(app.n).toBe(40 + 25 + 7 - 1);
    expect(got).toEqual(app);
    const [t] = await nativeQuery<{ t: string; g: string }>(
      `SELECT any_value(typeof(created_ts)) AS t, (SELECT count(*) FROM parquet_metadata('${file}') WHERE compression <> 'ZSTD')::VARCHAR AS g FROM read_parquet('${file}')`,
    );
    expect(t).toEqual({ t: 'TIMESTAMP WITH TIME ZONE', g: '0' });
  });

  it('equals the table while a compaction is between its plan and its commit', async () => {
    const one = await open('export-3');
    const first = posts(30);
    await write(one, first);
    await one.compact();
    await write(one, [{ ...first[1]!, content: '<p>edited</p>', edited_at: '2026-01-03T00:00:00.000Z', favourites_count: 55 }]);
    await write(one, posts(12));
    // The compaction has tagged the 12 new rows with its new segment and is rewriting segment 0;
    // its commit waits until the export is done.
    const hold = holdCommit(one.store);
    const compaction = one.compact();
    await hold.planned;

    const file = await exported(one);
    const app = await tableFingerprint(one);
    const got = await fileFingerprint(file);
    expect(app.n).toBe(42);
    expect(got).toEqual(app);
    hold.release(false);
    expect(await compaction).toBe(true);
    const after = await fileFingerprint(await exported(one));
    expect(after).toEqual(app);
  });

  it('writes a valid empty file when there is nothing', async () => {
    const file = await exported(await open('export-2'));
    const [r] = await nativeQuery<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM read_parquet('${file}')`);
    expect(r!.n).toBe('0');
  });
});
