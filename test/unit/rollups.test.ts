import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixtureStatuses } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { ROLLUP_SUMMARY_SQL } from '../../src/core/sql/rollups';
import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';
import { BatchStore } from '../../src/store/batch-store';
import { LocalData } from '../../src/store/local-data';
import { parquetCodec } from '../../src/store/parquet-codec';
import type { ParquetModule } from '../../src/store/parquet-export';
import type { RetentionRule } from '../../src/core/sql/retention';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';

const codec = parquetCodec(pq as unknown as ParquetModule);
const A = 'https://a.example';
const B = 'https://b.example';
let dbs: AnalyticsDb[] = [];
let n = 0;

async function open(name: string): Promise<LocalData> {
  const db = await openNodeDuckDb();
  dbs.push(db);
  return LocalData.open(db, [], async () => codec, await BatchStore.open(name));
}

/** Distinct posts from the fixtures' shapes, spread over days so a retention rule has work. */
function posts(count: number, day = 1): MastodonStatus[] {
  const base = fixtureStatuses().map(([, s]) => s);
  return [...Array(count)].map((_, i) => {
    const s = base[i % base.length]!;
    const id = String(112_000_000_000_000_000n + BigInt(n++));
    const created_at = new Date(Date.UTC(2026, 0, day, i % 24, i % 60)).toISOString();
    return { ...s, id, created_at, uri: `${s.uri}/${id}`, url: `${s.url}/${id}` };
  });
}

async function write(data: LocalData, statuses: MastodonStatus[], base = A, deletes: Array<{ base_url: string; id: string }> = [], prune?: RetentionRule) {
  const rows = statuses.map((s, i) => normalizeStatus(s, base, 'stream', Date.UTC(2026, 0, 10) + i));
  const stored = await data.store.append({ ipc: rows.length ? tootsToIPC(rows) : null, deletes, prune }, rows.length);
  await data.applied(stored);
}

async function both(data: LocalData): Promise<[Summary, Summary]> {
  const [exact] = await data.db.query<Summary>(SUMMARY_SQL);
  const [rolled] = await data.db.query<Summary>(ROLLUP_SUMMARY_SQL);
  return [rolled!, exact!];
}

afterEach(async () => {
  for (const db of dbs) await db.close();
  dbs = [];
});

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
    // Edits that change the language and the length.
    await write(one, [
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
});
