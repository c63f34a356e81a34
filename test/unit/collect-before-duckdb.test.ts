import { describe, expect, it } from 'vitest';
import { codec, posts, write, openLocalData, A, B } from './helpers/local-data';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { BatchStore } from '../../src/store/wal/batch-store';
import { Ingest, type IngestHooks } from '../../src/store/ingest';
import { LocalData } from '../../src/store/local-data';
import type { TootRow } from '../../src/core/toot';

function hooks(stored: TootRow[], flushed: number[]): IngestHooks {
  return { onStored: (rows) => stored.push(...rows), onFlushed: (b) => flushed.push(b.seq), onStatus: () => undefined };
}

const count = async (data: LocalData) => (await data.db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots'))[0]!.n;

/** Issue 16: collection stores toots before DuckDB is up, and DuckDB takes them once, later. */
describe('collecting before DuckDB', () => {
  it('stores batches and positions in IndexedDB at once, numbered after what a last visit stored', async () => {
    const name = `early-${Date.now()}`;
    const earlier = await openLocalData(name);
    await write(earlier, posts(3), A);
    const lastVisit = (await earlier.store.loadAfter(-1)).at(-1)!.seq;

    const store = await BatchStore.open(name);
    // A store written before positions were kept: only DuckDB knows where each source was.
    expect(await store.positions()).toBeNull();
    await store.seedPositions(await earlier.lastIds());
    const stored: TootRow[] = [];
    const flushed: number[] = [];
    const ingest = new Ingest(store, hooks(stored, flushed));
    const fresh = posts(4);
    for (const [i, s] of fresh.entries()) ingest.addStatus(s, i % 2 ? A : B, 'stream');
    await ingest.flush();
    expect(stored).toHaveLength(4);
    expect(flushed).toEqual([]);
    const batches = await store.loadAfter(lastVisit);
    expect(batches.map((b) => [b.seq, b.rows])).toEqual([[lastVisit + 1, 4]]);
    const newest = (base: string) => stored.filter((r) => r.base_url === base).map((r) => r.id).sort().at(-1);
    expect(Object.fromEntries((await store.positions())!)).toEqual({ [A]: newest(A), [B]: newest(B) });
    // A reload reads the same positions from IndexedDB alone.
    expect(await (await BatchStore.open(name)).positions()).toEqual(await store.positions());
  });

  it('loads what earlier visits stored, leaves its own batches to Ingest, and merges them once', async () => {
    const name = `handoff-${Date.now()}`;
    const earlier = await openLocalData(name);
    await write(earlier, posts(5), A);

    const store = await BatchStore.open(name);
    const stored: TootRow[] = [];
    const flushed: number[] = [];
    const ingest = new Ingest(store, hooks(stored, flushed));
    for (const s of posts(3)) ingest.addStatus(s, B, 'stream');
    await ingest.flush();

    const data = await LocalData.open(await openNodeDuckDb(), [], async () => codec, { store, leaveOwnBatches: true });
    // Only the earlier visit's toots: what this page stored is counted by the page already.
    expect(await count(data)).toBe(5);
    for (const s of posts(2)) ingest.addStatus(s, B, 'stream');
    ingest.attach(data);
    await ingest.flush();
    expect(await count(data)).toBe(10);
    expect(flushed.length).toBeGreaterThan(0);
    // Nothing doubled: a reload over the same IndexedDB finds the same 10.
    const reload = await LocalData.open(await openNodeDuckDb(), [], async () => codec, { store: await BatchStore.open(name) });
    expect(await count(reload)).toBe(10);
    await Promise.all([data.db.close(), reload.db.close()]);
  });
});
