import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture, fixtureStatuses } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import { REBUILD_CUBES, STALE_DAYS_SQL } from '../../src/core/sql/cube/cubes';
import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';

const A = 'https://mastodon.social';
const B = 'https://fosstodon.org';
const t0 = Date.UTC(2026, 10, 23, 12);

function rows(statuses: MastodonStatus[], base: string, at = t0) {
  return statuses.map((s, i) => normalizeStatus(s, base, 'stream', at + i));
}

describe('TootTable merge in DuckDB-WASM', () => {
  let db: AnalyticsDb;
  let table: TootTable;
  beforeEach(async () => {
    db = await openNodeDuckDb();
    table = new TootTable(db);
    await table.init([['en', 'English'], ['ja', 'Japanese']]);
  });
  afterEach(async () => db.close());

  it('stores every fixture once, with the schema types', async () => {
    const all = fixtureStatuses().map(([, s]) => s);
    await table.apply({ ipc: tootsToIPC(rows(all, A)), deletes: [] });
    const [n] = await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots');
    expect(n?.n).toBe(new Set(all.map((s) => s.uri)).size);
    const types = await db.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'toots'",
    );
    const t = Object.fromEntries(types.map((r) => [r.column_name, r.data_type]));
    expect(t).toMatchObject({ m_id: 'BIGINT', created_at: 'BIGINT', hashtags: 'VARCHAR[]', seen_on: 'VARCHAR[]', created_ts: 'TIMESTAMP', bot: 'BOOLEAN', favourites: 'INTEGER' });
    const [s] = await db.query<{ id: string; m: string }>(`SELECT id, m_id::VARCHAR AS m FROM toots WHERE id = '108914354907984653'`);
    expect(s).toEqual({ id: '108914354907984653', m: '108914354907984653' });
  });

  it('dedups by uri across instances and batches, keeping seen_on and the latest edit', async () => {
    const s = fixture('02_stream_status_update_remote_rubysocial_tags.json');
    const original = { ...s, edited_at: null, content: '<p>old text</p>', favourites_count: 1 };
    const onB = { ...s, id: '999', favourites_count: 5 };
    await table.apply({ ipc: tootsToIPC(rows([original], A)), deletes: [] });
    await table.apply({ ipc: tootsToIPC(rows([onB, original], B, t0 + 10)), deletes: [] });
    const out = await db.query<{ n: number; id: string; base_url: string; seen_on: string[]; fav: number; txt: string }>(
      'SELECT count(*) OVER ()::INTEGER AS n, id, base_url, seen_on, favourites AS fav, mastodon_text AS txt FROM toots',
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.id).toBe(s.id);
    expect(out[0]!.base_url).toBe(A);
    expect([...out[0]!.seen_on]).toEqual([B, A].sort());
    // The edited version wins over the older copy that arrived later in the batch.
    expect(out[0]!.fav).toBe(5);
    expect(out[0]!.txt).not.toBe('old text');
  });

  it('keeps the client app when a copy from another instance (which carries none) arrives later', async () => {
    const s = fixture('03_stream_hashtag_local_update_local_trwnh_app.json');
    const { application: _app, ...copy } = { ...s, id: '555' };
    await table.apply({ ipc: tootsToIPC(rows([s], A)), deletes: [] });
    await table.apply({ ipc: tootsToIPC(rows([copy as MastodonStatus], B, t0 + 9)), deletes: [] });
    await table.apply({ ipc: tootsToIPC([...rows([copy as MastodonStatus], B, t0 + 10), ...rows([{ ...s, id: '556', uri: s.uri + '/x' }], A, t0 + 11), ...rows([{ ...copy, id: '557', uri: s.uri + '/x' } as MastodonStatus], B, t0 + 12)]), deletes: [] });
    const apps = await db.query<{ app: string }>('SELECT app FROM toots ORDER BY uri');
    expect(apps).toEqual([{ app: 'Web' }, { app: 'Web' }]);
  });

  it('removes a deleted post, also when the delete arrives first or names another instance id', async () => {
    const [a, b, c] = fixtureStatuses().map(([, s]) => s);
    await table.apply({ ipc: null, deletes: [{ base_url: A, id: a!.id }] });
    await table.apply({ ipc: tootsToIPC(rows([a!, b!, c!], A)), deletes: [] });
    await table.apply({ ipc: tootsToIPC(rows([{ ...b!, id: '424242' }], B)), deletes: [] });
    await table.apply({ ipc: null, deletes: [{ base_url: B, id: '424242' }] });
    const left = await db.query<{ uri: string }>('SELECT uri FROM toots');
    expect(left.map((r) => r.uri)).toEqual([c!.uri]);
    // A late copy of a deleted post does not come back.
    await table.apply({ ipc: tootsToIPC(rows([a!], A, t0 + 99)), deletes: [] });
    expect(await db.query('SELECT uri FROM toots')).toHaveLength(1);
  });

  it('records a second copy that arrives in the same batch as the first, so its delete finds the post', async () => {
    const s = fixture('01_stream_public_update_remote_mstdnjp.json');
    const onB = { ...s, id: '777' };
    await table.apply({ ipc: tootsToIPC([...rows([s], A), ...rows([onB], B, t0 + 5)]), deletes: [] });
    expect(await db.query('SELECT uri, base_url, id FROM sightings')).toEqual([{ uri: s.uri, base_url: B, id: '777' }]);
    await table.apply({ ipc: null, deletes: [{ base_url: B, id: '777' }] });
    expect(await db.query('SELECT uri FROM toots')).toEqual([]);
  });

  it("finds a post's stored row by the merge's keys when a copy moved its time, and in a file kept from before the keys", async () => {
    const s = fixture('01_stream_public_update_remote_mstdnjp.json');
    const at = (iso: string, secs: number) => new Date(Date.parse(iso) + secs * 1000).toISOString();
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots'))[0]!.n;
    await table.apply({ ipc: tootsToIPC(rows([s], A)), deletes: [] });
    // An edit whose copy lost a second: the stored row moves to the later second.
    const edited = { ...s, id: '801', created_at: at(s.created_at, 1), edited_at: at(s.created_at, 600), favourites_count: 9 };
    await table.apply({ ipc: tootsToIPC(rows([edited], B, t0 + 1)), deletes: [] });
    const [moved] = await db.query<{ c: number }>(`SELECT created_at::DOUBLE AS c FROM toots`);
    expect(moved!.c).toBe(Math.floor(Date.parse(s.created_at) / 1000) + 1);
    // Copies at either second still find it.
    await table.apply({ ipc: tootsToIPC(rows([{ ...s, id: '802' }], B, t0 + 2)), deletes: [] });
    await table.apply({ ipc: tootsToIPC(rows([{ ...edited, id: '803' }], A, t0 + 3)), deletes: [] });
    expect(await count()).toBe(1);
    // A database file made before the keys were kept: opening it computes them from the rows.
    await db.exec('DROP TABLE uri_keys');
    await new TootTable(db).init([['en', 'English'], ['ja', 'Japanese']]);
    await table.apply({ ipc: tootsToIPC(rows([{ ...edited, id: '804' }], B, t0 + 4)), deletes: [] });
    expect(await count()).toBe(1);
    const [seen] = await db.query<{ seen: string[] }>('SELECT seen_on AS seen FROM toots');
    expect([...seen!.seen]).toEqual([A, B].sort());
  });

  it('drops the keys of pruned rows with them', async () => {
    const r = rows(fixtureStatuses().map(([, s]) => s), A);
    await table.apply({ ipc: tootsToIPC(r), deletes: [] });
    const keys = async () => (await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM uri_keys'))[0]!.n;
    expect(await keys()).toBe(new Set(r.map((x) => x.uri)).size);
    await table.apply({ ipc: null, deletes: [], prune: { keepNewest: 1 } });
    expect(await keys()).toBeLessThan(r.length);
    const [newest] = await db.query<{ k: number }>('SELECT count(*)::INTEGER AS k FROM uri_keys k JOIN toot_store t ON t.created_at = k.created_at AND hash(t.uri) = k.h');
    expect(newest!.k).toBe(1);
  });

  it('prunes by a retention rule after the batch, by age or to the newest N', async () => {
    const all = fixtureStatuses().map(([, s]) => s);
    const r = rows(all, A);
    const times = r.map((x) => x.created_ts).sort((a, b) => a - b);
    await table.apply({ ipc: tootsToIPC(r), deletes: [], prune: { olderThanMs: times[2]! } });
    const left = await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM toots');
    expect(left[0]!.n).toBe(r.filter((x) => x.created_ts >= times[2]!).length);
    await table.apply({ ipc: null, deletes: [], prune: { keepNewest: 1 } });
    const newest = await db.query<{ t: number }>('SELECT epoch_ms(created_ts)::DOUBLE AS t FROM toots');
    expect(newest).toEqual([{ t: times[times.length - 1]! }]);
  });

  it('refreshes the kept per-day author figures once merges pause, not in the merge', async () => {
    table.refreshQuietMs = 50;
    const all = fixtureStatuses().map(([, s]) => s);
    await table.apply({ ipc: tootsToIPC(rows(all, A)), deletes: [] });
    const stale = async () => (await db.query<{ n: number }>(STALE_DAYS_SQL))[0]!.n;
    const kept = () => db.query('SELECT COLUMNS(*)::VARCHAR FROM daily_authors ORDER BY ALL');
    // Right after the merge its days are stale and no figures are kept for them yet.
    expect(await stale()).toBeGreaterThan(0);
    expect(await kept()).toEqual([]);
    await vi.waitFor(async () => expect(await stale()).toBe(0), { timeout: 30_000, interval: 50 });
    const prefix = 'CREATE OR REPLACE TABLE daily_authors AS ';
    const rebuilt = REBUILD_CUBES.find((x) => x.startsWith(prefix))!.slice(prefix.length);
    expect(await kept()).toEqual(await db.query(`SELECT COLUMNS(*)::VARCHAR FROM (${rebuilt}) ORDER BY ALL`));
    expect((await kept()).length).toBeGreaterThan(0);
  });

  it('computes the summary and builds the notebook views', async () => {
    const all = fixtureStatuses().map(([, s]) => s);
    const r = rows(all, A);
    await table.apply({ ipc: tootsToIPC(r), deletes: [] });
    const [sum] = await db.query<Summary>(SUMMARY_SQL);
    const uniq = [...new Map(r.map((x) => [x.uri, x])).values()];
    expect(sum).toEqual({
      toots: uniq.length,
      users: new Set(uniq.map((x) => x.acct)).size,
      instances: new Set(uniq.map((x) => x.from_instance)).size,
      languages: new Set(uniq.map((x) => x.language)).size,
      shortest: Math.min(...uniq.map((x) => x.characters)),
      average: expect.closeTo(uniq.reduce((a, x) => a + x.characters, 0) / uniq.length, 6),
      longest: Math.max(...uniq.map((x) => x.characters)),
      total_characters: uniq.reduce((a, x) => a + x.characters, 0),
    });
    const named = await db.query<{ language: string; language_name: string | null }>(
      "SELECT DISTINCT language, language_name FROM mastodon_toot WHERE language = 'en'",
    );
    expect(named).toEqual([{ language: 'en', language_name: 'English' }]);
    const hours = await db.query<{ h: number }>("SELECT DISTINCT date_part('hour', created_tz)::INTEGER AS h FROM mastodon_toot_raw ORDER BY h");
    expect(hours.length).toBeGreaterThan(0);
    const daily = await db.query<{ n: number }>(
      "SELECT count(*)::INTEGER AS n, mode(CASE WHEN bot='False' THEN username END) AS u FROM mastodon_toot GROUP BY created_tz::DATE",
    );
    expect(daily.reduce((a, d) => a + d.n, 0)).toBe(uniq.length);
  });
});

describe('TootTable batches cut where a row group fills up', () => {
  /** Distinct posts from the fixtures: new ids and uris, same shapes. */
  let next = 0;
  const fresh = (n: number) =>
    [...Array(n)].map((_, i) => {
      const s = fixtureStatuses()[i % fixtureStatuses().length]![1];
      const id = String(120_000_000_000_000_000n + BigInt(next++));
      return { ...s, id, uri: `${s.uri}/${id}`, url: `${s.url}/${id}` };
    });

  it('merge to the same table, rollups and side tables as whole batches', async () => {
    const first = fresh(20);
    const early = fresh(1)[0]!;
    const batches = [
      { ipc: tootsToIPC(rows(first, A)), deletes: [] },
      {
        ipc: tootsToIPC(rows([
          ...first.slice(0, 5).map((s) => ({ ...s, id: `${s.id}7`, favourites_count: 40, content: '<p>edited</p>', edited_at: '2026-11-23T13:00:00.000Z' })),
          ...fresh(10),
          first[7]!,
        ], B, t0 + 100)),
        deletes: [{ base_url: A, id: first[3]!.id }, { base_url: A, id: early.id }],
      },
      { ipc: tootsToIPC(rows([...fresh(11), early], A, t0 + 200)), deletes: [{ base_url: B, id: `${first[1]!.id}7` }] },
    ];
    const tables: Array<{ db: AnalyticsDb; cuts: number }> = [];
    for (const rowGroupRows of [7, undefined]) {
      const db = await openNodeDuckDb();
      const table = new TootTable(db, rowGroupRows);
      await table.init();
      let cuts = 0;
      const exec = db.exec.bind(db);
      db.exec = (s) => {
        if ([s].flat().some((x) => x.startsWith('ALTER TABLE incoming RENAME'))) cuts++;
        return exec(s);
      };
      for (const b of batches) await table.apply(b);
      tables.push({ db, cuts });
    }
    const state = async (db: AnalyticsDb) => ({
      toots: await db.query(`SELECT * EXCLUDE (received_at) REPLACE (hashtags::VARCHAR AS hashtags, seen_on::VARCHAR AS seen_on) FROM toots ORDER BY uri`),
      summary: await db.query('SELECT * FROM rollup_summary'),
      authors: await db.query('SELECT * FROM rollup_authors ORDER BY acct'),
      sightings: await db.query('SELECT * FROM sightings ORDER BY ALL'),
      tombstones: await db.query('SELECT * FROM tombstones ORDER BY ALL'),
      deleted: await db.query('SELECT * FROM deleted_uris ORDER BY ALL'),
    });
    const [cut, whole] = [await state(tables[0]!.db), await state(tables[1]!.db)];
    expect(tables.map((t) => t.cuts)).toEqual([3, 0]);
    expect(cut.toots.length).toBe(20 - 1 + 10 + 11 - 1);
    for (const k of Object.keys(cut) as Array<keyof typeof cut>) expect({ [k]: cut[k] }).toEqual({ [k]: whole[k] });
    expect(await tables[0]!.db.query(SUMMARY_SQL)).toEqual(cut.summary);
    for (const t of tables) await t.db.close();
  });
});
