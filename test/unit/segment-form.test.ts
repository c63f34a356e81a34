import { describe, expect, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { Table, tableFromIPC, tableToIPC, vectorFromArray, Int64, Utf8 } from 'apache-arrow';
import { fixtureStatuses } from './helpers/fixtures';
import { generatedToots } from './helpers/generated-toots';
import { nativeQuery } from './helpers/native-duckdb';
import { save } from './helpers/parquet-rows';
import { zstd } from './helpers/zstd';
import { ipcToToots, tootsToIPC } from '../../src/core/arrow-batch';
import { normalizeStatus } from '../../src/core/normalize';
import type { TootRow } from '../../src/core/toot';
import { parquetCodec } from '../../src/store/archive/parquet-codec';
import type { ParquetModule } from '../../src/store/parquet/parquet-wasm';
import { spliceColumns } from '../../src/store/parquet/splice';
import { DERIVABLE, fromSegmentForm, toSegmentForm } from '../../src/store/archive/segment-form';
import { DERIVED_IN_FILE } from '../../src/core/sql/schema';

const codec = parquetCodec(pq as unknown as ParquetModule, zstd);

/** Generated toots, the real fixtures, and rows where a derivable column does not follow its source. */
function mixedRows(): TootRow[] {
  const rows = generatedToots(400);
  const real = fixtureStatuses().map(([, s], i) => normalizeStatus(s, 'https://mastodon.social', 'stream', 1_700_000_000_000 + i));
  const odd = (k: number, change: Partial<TootRow>): TootRow => ({ ...rows[k]!, ...change });
  return [
    ...rows,
    ...real,
    odd(1, { url: 'https://elsewhere.example/@someone/1' }),
    odd(2, { username: 'NotTheAcct' }),
    odd(3, { id: `0${rows[3]!.id}` }),
    odd(4, { created_at: rows[4]!.created_at + 1 }),
    odd(5, { created_at_str: '2026-11-20 18:00:00' }),
    odd(6, { uri: 'https://ünï.example/users/zoë/statuses/42', url: 'https://ünï.example/@zoë/42', acct: 'zoë@ünï.example', username: 'zoë' }),
    odd(7, { uri: 'https://a.example/users//statuses/1', url: 'https://a.example/@/1' }),
    odd(8, { uri: 'https://a.example/users/x/statuses/1/activity', url: 'https://a.example/users/x/statuses/1/activity' }),
    odd(9, { uri: 'https://a.example/users/x/statuses/1', url: 'https://a.example/@x/1?x' }),
    odd(10, { acct: 'plain', username: 'plain' }),
    odd(11, { created_ts: -1_500, created_at: -2, created_at_str: '1969 12 31 23:59:58' }),
  ];
}

describe('segments leave out the columns they can rebuild', () => {
  it('stores them as null where they follow their source, and reads back the same rows', () => {
    const rows = mixedRows();
    const { table, derived } = toSegmentForm(tableFromIPC(tootsToIPC(rows)));
    expect([...derived].sort()).toEqual([...DERIVABLE].sort());
    // Only the odd rows keep a value. url: another host, a query, and an empty user name (no
    // Mastodon uri, so the url would be the uri); the fixtures' Pleroma post has its uri as url.
    const kept = Object.fromEntries(derived.map((c) => [c, table.getChild(c)!.length - table.getChild(c)!.nullCount]));
    expect(kept).toEqual({ id: 1, url: 3, username: 1, created_at: 1, created_at_str: 1 });
    expect(ipcToToots(tableToIPC(fromSegmentForm(table, derived), 'stream'))).toEqual(rows);
  });

  it('keeps a column whole when it holds a null its source would fill in', () => {
    const full = new Table({
      m_id: vectorFromArray([1n, 2n], new Int64()),
      id: vectorFromArray(['1', null], new Utf8()),
      acct: vectorFromArray(['a@h', 'b@h'], new Utf8()),
      username: vectorFromArray(['a', 'b'], new Utf8()),
    });
    const { table, derived } = toSegmentForm(full);
    expect(derived).toEqual(['username']);
    expect(table.getChild('id')!.toArray()).toEqual(['1', null]);
    expect(table.getChild('username')!.nullCount).toBe(2);
    expect(fromSegmentForm(table, derived).getChild('username')!.toArray()).toEqual(['a', 'b']);
  });

  it('through Parquet: a reload rebuilds the rows, and the export splices the rebuilt columns in', async () => {
    const rows = mixedRows();
    const ipc = tootsToIPC(rows);
    const whole = await codec.write(ipc);
    const { bytes, derived } = await codec.writeSegment(ipc, []);
    expect(bytes.length).toBeLessThan(whole.length * 0.85);
    const [stored] = await codec.readStored(bytes.slice(), 3, [], derived);
    const back = tableFromIPC(stored!);
    expect(back.getChild('seg')!.get(0)).toBe(3);
    // What DuckDB's file derives itself (core/sql/schema.ts) stays null where the segment left it out.
    const inFile = derived.filter((c) => c in DERIVED_IN_FILE);
    expect(inFile.toSorted()).toEqual(['created_at_str', 'id', 'url', 'username']);
    for (const c of inFile) expect(back.getChild(c)!.nullCount).toBe(toSegmentForm(tableFromIPC(ipc)).table.getChild(c)!.nullCount);
    expect(back.getChild('created_at')!.nullCount).toBe(0);
    expect(ipcToToots(tableToIPC(fromSegmentForm(back.select(tableFromIPC(ipc).schema.names), inFile), 'stream'))).toEqual(rows);

    // The export gives DuckDB's columns, nullable as the segment's: a non-nullable one is refused.
    const required = await codec.writeColumns(tableToIPC(tableFromIPC(ipc).select(derived), 'stream'));
    expect(() => spliceColumns(bytes, required)).toThrow(/differs from the base file's/);
    const nullable = fromSegmentForm(toSegmentForm(tableFromIPC(ipc)).table, derived).select(derived);
    const spliced = spliceColumns(bytes, await codec.writeColumns(tableToIPC(nullable, 'stream')));
    expect(ipcToToots(await codec.read(spliced))).toEqual(rows);
    const cols = 'id, url, username, created_at, created_at_str, uri, acct, mastodon_text';
    const query = (file: string) => nativeQuery(`SELECT ${cols} FROM read_parquet('${file}') ORDER BY uri`);
    expect(await query(save('spliced.parquet', spliced))).toEqual(await query(save('whole.parquet', whole)));
  });
});
