import { describe, expect, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { generatedToots } from './helpers/generated-toots';
import { nativeQuery } from './helpers/native-duckdb';
import { rowGroups, save } from './helpers/parquet-rows';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { spliceColumns } from '../../src/store/parquet/splice';
import { fromSegmentForm, toSegmentForm } from '../../src/store/archive/segment-form';

/** parquet-wasm's own writer with row groups of `rows`: the splice must not depend on our codec. */
const write = (table: Table, rows: number) =>
  pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream')), new pq.WriterPropertiesBuilder().setMaxRowGroupSize(rows).build());

describe('spliceColumns', () => {
  const full = tableFromIPC(tootsToIPC(generatedToots(1050)));
  const { table: stored, derived } = toSegmentForm(full);
  // The same columns as the base file declares them (nullable), with every value.
  const replacement = (rows: number) => write(fromSegmentForm(stored, derived).select(derived), rows);

  it('takes the replaced columns from the other file in every row group, and the rest from the base', async () => {
    const base = write(stored, 200);
    expect(rowGroups(base)).toHaveLength(6);
    const out = spliceColumns(base, replacement(200));
    expect(rowGroups(out)).toHaveLength(6);
    const cols = 'id, url, username, created_at, created_at_str, uri, acct, favourites, mastodon_text';
    const file = save('spliced-groups.parquet', out);
    const expected = save('spliced-expected.parquet', write(full, 1 << 20));
    const rows = (f: string) => nativeQuery(`SELECT ${cols} FROM read_parquet('${f}') ORDER BY uri`);
    expect(await rows(file)).toEqual(await rows(expected));
    // Every replaced chunk is read from where it now lies (DuckDB checks offsets against the file).
    const [m] = await nativeQuery<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM parquet_metadata('${file}')`);
    expect(m!.n).toBe(6 * full.schema.fields.length);
  });

  it('refuses files whose row groups do not line up', () => {
    expect(() => spliceColumns(write(stored, 200), replacement(300))).toThrow(/different row groups|differ in the rows/);
    expect(() => spliceColumns(write(stored, 1000), replacement(1050))).toThrow(/different row groups|differ in the rows/);
  });
});
