import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import { localTimeStatements } from '../../src/core/sql/local-time';
import { CUBES } from '../../src/core/sql/cube/cubes';

const UTC = localTimeStatements([{ from: -2_208_988_800_000, to: 253_402_300_799_000, offset: 0 }], 'UTC');
const BERLIN = localTimeStatements([{ from: -2_208_988_800_000, to: 253_402_300_799_000, offset: 60 }], 'Europe/Berlin');
const NAMES: Array<[string, string]> = [['en', 'English'], ['de', 'German']];

/** The statements an init ran, besides the reads. */
async function initLogged(db: AnalyticsDb, names: Array<[string, string]>, localTime: string[]): Promise<string[]> {
  const ran: string[] = [];
  const logged: AnalyticsDb = {
    ...db,
    exec: async (s) => {
      ran.push(...(typeof s === 'string' ? [s] : s));
      await db.exec(s);
    },
    query: (sql) => db.query(sql),
  };
  await new TootTable(logged).init(names, localTime);
  return ran;
}

const objects = (db: AnalyticsDb) =>
  db.query<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() WHERE NOT temporary UNION ALL
    SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary UNION ALL
    SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_name = 'local_time' ORDER BY 1`);

/**
 * Issue 16: a start that reopens DuckDB's file does not run the set-up statements again when the
 * same set-up made the file (~30 statements, ~110 ms of each start in Chromium). Any difference in
 * them (another Tootscope, zone or language names), or a missing cube, runs them all again.
 */
describe('TootTable.init on a database it already set up', () => {
  let db: AnalyticsDb;
  beforeAll(async () => {
    db = await openNodeDuckDb();
  });
  afterAll(() => db.close());

  it('sets up a new database in full, then skips the set-up while nothing in it changed', async () => {
    const first = await initLogged(db, NAMES, UTC);
    expect(first.filter((s) => /^CREATE/.test(s)).length).toBeGreaterThan(20);
    const made = await objects(db);
    expect(made.map((o) => o.name)).toEqual(expect.arrayContaining(['toot_store', 'toots', 'mastodon_toot', 'toots_local', 'local_time', 'agg_hour']));
    expect(await db.query('SELECT lang_iso FROM language ORDER BY 1')).toEqual([{ lang_iso: 'de' }, { lang_iso: 'en' }]);

    const again = await initLogged(db, NAMES, UTC);
    expect(again.filter((s) => !/^SET /.test(s))).toEqual([]);
    expect(await objects(db)).toEqual(made);
  });

  it('runs the set-up again when the zone, the language names or a cube differ', async () => {
    await initLogged(db, NAMES, UTC);
    const zone = await initLogged(db, NAMES, BERLIN);
    expect(zone.some((s) => s.includes("'Europe/Berlin'"))).toBe(true);
    expect(await db.query('SELECT DISTINCT zone FROM zone_offsets')).toEqual([{ zone: 'Europe/Berlin' }]);

    const names = await initLogged(db, [...NAMES, ['ja', 'Japanese']], BERLIN);
    expect(names.some((s) => s.startsWith('INSERT INTO language'))).toBe(true);
    expect((await db.query('SELECT lang_iso FROM language')).length).toBe(3);

    await db.exec(`DROP TABLE ${CUBES[0]!.table}`);
    const cube = await initLogged(db, [...NAMES, ['ja', 'Japanese']], BERLIN);
    expect(cube.some((s) => s.includes(`CREATE OR REPLACE TABLE ${CUBES[0]!.table} AS`))).toBe(true);
    expect((await objects(db)).map((o) => o.name)).toContain(CUBES[0]!.table);
  });
});
