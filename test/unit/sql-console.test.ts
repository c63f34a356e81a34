import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pq from 'parquet-wasm/node';
import { tableFromIPC } from 'apache-arrow';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { nativeQuery } from './helpers/native-duckdb';
import { fixture } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import { queryToParquet, type ParquetModule } from '../../src/store/parquet/parquet-wasm';
import { parseCsv, spreadsheetText } from '../../src/core/csv';
import { exportSql, guardSql, splitStatements } from '../../src/core/sql/statement-guard';
import { EXAMPLES } from '../../src/ui/sql/examples';
import { ConsoleRunError, loadFunctionNames, loadSchema, resultToCsv, runStatements, type RunResult } from '../../src/ui/sql/console-runner';
import { formatDecimal, formatInterval, formatTimestamp, formatValue, resultCsv } from '../../src/ui/sql/result-format';
import { HISTORY_CAP, HistoryCursor, addToHistory, memoryHistoryBackend } from '../../src/ui/sql/history';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';
import { Data, Interval, IntervalUnit, TimeUnit } from 'apache-arrow';

const BASE = 'https://mastodon.social';

/** A status with its identity moved, so one fixture stands for another post. */
function variant(name: string, id: string, over: Partial<MastodonStatus>, account: Partial<MastodonStatus['account']> = {}): MastodonStatus {
  const s = fixture(name);
  const user = account.username ?? s.account.username;
  return {
    ...s,
    id,
    uri: `https://mastodon.social/users/${user}/statuses/${id}`,
    url: `https://mastodon.social/@${user}/${id}`,
    ...over,
    account: { ...s.account, ...account },
  };
}

/**
 * Eight posts on four UTC days: the five fixtures (2019-12-08 Gargron; 2022-08-30 three remote
 * posts and trwnh; 2022-11-15 chrismo) plus a bot, a second trwnh post the same day (so trwnh is
 * that day's mode) and a Japanese post with another app.
 */
function dataset(): MastodonStatus[] {
  return [
    fixture('01_stream_public_update_remote_mstdnjp.json'),
    fixture('02_stream_status_update_remote_rubysocial_tags.json'),
    fixture('03_stream_hashtag_local_update_local_trwnh_app.json'),
    fixture('04_stream_user_update_remote_pleroma_mention_langnull.json'),
    fixture('05_entity_status_doc_gargron_card_app.json'),
    variant('03_stream_hashtag_local_update_local_trwnh_app.json', '108900000000000001',
      { created_at: '2022-08-30T10:00:00.000Z', application: { name: 'Moa' }, content: '<p>Headline: markets</p>' },
      { username: 'newsbot', acct: 'newsbot', bot: true }),
    variant('03_stream_hashtag_local_update_local_trwnh_app.json', '108900000000000002',
      { created_at: '2022-08-30T12:30:00.000Z', content: '<p>Hello Mastodon</p>' }),
    variant('05_entity_status_doc_gargron_card_app.json', '108920000000000003',
      { created_at: '2022-08-31T08:15:00.000Z', application: { name: 'Ivory' }, language: 'ja', content: '<p>MASTODON と DuckDB, "quoted", two\nlines</p>' },
      { username: 'alice', acct: 'alice' }),
  ];
}

async function run(db: AnalyticsDb, sql: string, maxRows?: number): Promise<RunResult> {
  const verdict = guardSql(sql);
  // 'confirm' (a change to a table made here) runs as after "Run anyway".
  if (verdict.action !== 'run' && verdict.action !== 'confirm') throw new Error(`guard said ${verdict.action} for ${sql}`);
  return runStatements(db, verdict.statements, maxRows);
}

/** The rows as the console shows them: text per cell, null for NULL. */
function shown(r: RunResult): Array<Array<string | null>> {
  return Array.from({ length: r.rowCount }, (_, i) => r.columns.map((c) => c.text(i)));
}

describe('SQL console on DuckDB-WASM', () => {
  let db: AnalyticsDb;
  const statuses = dataset();
  const rows = statuses.map((s, i) => normalizeStatus(s, BASE, 'stream', Date.UTC(2026, 10, 23) + i));

  beforeAll(async () => {
    db = await openNodeDuckDb();
    const table = new TootTable(db);
    await table.init([['en', 'English'], ['ja', 'Japanese']]);
    await table.apply({ ipc: tootsToIPC(rows), deletes: [] });
  });
  afterAll(async () => db.close());

  const example = (title: string) => EXAMPLES.find((e) => e.title.startsWith(title))!.sql;

  it('offers the seed notebook queries, verbatim', () => {
    expect(example('Daily')).toBe(
      "SELECT created_tz::DATE AS day, count(*) AS toots, count(DISTINCT username) AS users, mode(CASE WHEN bot='False' THEN username END) AS top_user FROM mastodon_toot GROUP BY 1 ORDER BY 1",
    );
    expect(example('The Mastodon app')).toContain("bot='False'");
    expect(example('Toots per hour')).toContain("date_part('hour', created_tz)");
    expect(example('Toot length')).toContain("language NOT IN ('unknown')");
    expect(example('Toots mentioning')).toMatch(/mastodon_text ILIKE '%\w+%'/);
    for (const e of EXAMPLES) expect(guardSql(e.sql).action, e.title).toBe('run');
  });

  it('points an error at the line the editor shows, and says where the text of a toot is', async () => {
    const err = await run(db, 'SELECT content FROM toots').then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/Referenced column "content" not found/);
    expect(err).toMatch(/^LINE 1:/m);
    expect(err).not.toMatch(/^LINE 2:/m);
    expect(err).toContain('In toots, "content" is the column mastodon_text (the post as plain text).');
    const second = await run(db, 'SELECT 1 AS ok,\n  nosuch FROM toots').then(() => null, (e: Error) => e.message);
    expect(second).toMatch(/^LINE 2:/m);
  });

  it('answers DESCRIBE and SHOW TABLES as the DuckDB shell does', async () => {
    const described = await run(db, 'DESCRIBE toots');
    expect(described.columns.map((c) => c.name).slice(0, 2)).toEqual(['column_name', 'column_type']);
    expect(shown(described).map((r) => r[0])).toContain('mastodon_text');
    const tables = await run(db, 'SHOW TABLES');
    expect(shown(tables).map((r) => r[0])).toEqual(expect.arrayContaining(['toots', 'toot_store']));
  });

  it('shows created_at (epoch seconds) as a UTC time, keeping the number for hover and downloads', async () => {
    const r = await run(db, "SELECT created_at, created_at + 0 AS n FROM toots WHERE username = 'newsbot'");
    const [at, n] = r.columns;
    expect(at!.text(0)).toBe(String(Date.UTC(2022, 7, 30, 10) / 1000));
    expect(at!.shown!(0)).toBe('2022-08-30 10:00:00 UTC');
    // Only the schema's column of that name: a computed number stays a number.
    expect(n!.shown).toBeUndefined();
    expect(resultCsv(r.columns, r.rowCount)).toContain(`\r\n${Date.UTC(2022, 7, 30, 10) / 1000},`);
  });

  it('daily table: toots, users and the most active non-bot per UTC day', async () => {
    const r = await run(db, example('Daily'));
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([['day', 'DATE'], ['toots', 'BIGINT'], ['users', 'BIGINT'], ['top_user', 'VARCHAR']]);
    expect(shown(r)).toEqual([
      ['2019-12-08', '1', '1', 'Gargron'],
      ['2022-08-30', '5', '4', 'trwnh'],
      ['2022-08-31', '1', '1', 'alice'],
      ['2022-11-15', '1', '1', 'chrismo'],
    ]);
    expect(r.truncated).toBe(false);
    expect(r.changed).toBe(false);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('app landscape without bots', async () => {
    const r = await run(db, example('The Mastodon app'));
    expect(shown(r)).toEqual([['Web', '3'], ['Ivory', '1']]);
  });

  it('toots per hour of each day', async () => {
    const r = await run(db, example('Toots per hour'));
    expect(shown(r)).toEqual([
      ['2019/12/08 Sun', '3', '1'],
      ['2022/08/30 Tue', '10', '1'],
      ['2022/08/30 Tue', '12', '1'],
      ['2022/08/30 Tue', '23', '3'],
      ['2022/08/31 Wed', '8', '1'],
      ['2022/11/15 Tue', '16', '1'],
    ]);
  });

  it('languages, and toot length by language without unknown', async () => {
    // A code without a name shows as its code, never NULL (issue 17).
    expect(shown(await run(db, example('Languages')))).toEqual([['English', '6'], ['Japanese', '1'], ['unknown', '1']]);
    const chars = (lang: string) => rows.filter((t) => t.language === lang).map((t) => t.characters).sort((a, b) => a - b);
    const en = chars('en');
    const median = (en[2]! + en[3]!) / 2;
    expect(shown(await run(db, example('Toot length')))).toEqual([
      ['English', '6', String(en[0]), String(median), String(en[5])],
      ['Japanese', '1', String(chars('ja')[0]), String(chars('ja')[0]), String(chars('ja')[0])],
    ]);
  });

  it('word search, newest first, with text shown as text', async () => {
    const r = await run(db, example('Toots mentioning'));
    expect(shown(r)).toEqual([
      ['2022-08-31 08:15:00', 'alice', 'mastodon.social', 'MASTODON と DuckDB, "quoted", two\nlines'],
      ['2022-08-30 12:30:00', 'trwnh', 'mastodon.social', 'Hello Mastodon'],
    ]);
  });

  it('formats DuckDB types the way DuckDB prints them', async () => {
    const r = await run(db, `SELECT 12345678901234567::BIGINT AS big, sum(x)::HUGEINT AS huge, -3.25::DECIMAL(18,2) AS dec,
      1.1::FLOAT AS f, 0.1::DOUBLE AS d, true AS b, NULL::INTEGER AS n, '' AS empty,
      DATE '2026-11-23' AS dt, TIMESTAMP '2026-11-23 01:02:03.456789' AS ts, TIMESTAMP '1969-12-31 23:59:59.5' AS before_epoch,
      TIMESTAMP_NS '2026-11-23 01:02:03.123456789' AS ns, TIME '12:03:04.5' AS tm,
      ['a', 'b,c', NULL] AS list, [1, 2] AS ints, {'k': 1, 'v': 'x'} AS st, MAP {'a': 1} AS mp,
      'a'::ENUM('a', 'b') AS en, '\\x00A'::BLOB AS bl
      FROM (VALUES (1), (2)) v(x)`);
    const [row] = shown(r);
    expect(Object.fromEntries(r.columns.map((c, i) => [c.name, row![i]]))).toEqual({
      big: '12345678901234567', huge: '3', dec: '-3.25', f: '1.1', d: '0.1', b: 'true', n: null, empty: '',
      dt: '2026-11-23', ts: '2026-11-23 01:02:03.456789', before_epoch: '1969-12-31 23:59:59.5',
      ns: '2026-11-23 01:02:03.123456789', tm: '12:03:04.5',
      list: "['a', 'b,c', NULL]", ints: '[1, 2]', st: "{'k': 1, 'v': 'x'}", mp: "{'a'=1}", en: 'a', bl: '\\x00A',
    });
    expect(r.columns.find((c) => c.name === 'huge')!.type).toBe('DECIMAL(38,0)');
    expect(r.columns.find((c) => c.name === 'list')!.type).toBe('VARCHAR[]');
    // The app's own columns: seen_on is a list, m_id exact.
    const [t] = shown(await run(db, "SELECT m_id, seen_on, created_ts FROM toots WHERE id = '108914354907984653'"));
    expect(t).toEqual(['108914354907984653', "['https://mastodon.social']", '2022-08-30 23:12:47']);
  });

  it('formats edge values exactly', () => {
    expect(formatTimestamp(-1n, TimeUnit.MICROSECOND)).toBe('1969-12-31 23:59:59.999999');
    expect(formatTimestamp(0n, TimeUnit.SECOND)).toBe('1970-01-01 00:00:00');
    expect(formatTimestamp(253402300799n, TimeUnit.SECOND)).toBe('9999-12-31 23:59:59');
    expect(formatDecimal(Uint32Array.of(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff), 2)).toBe('-0.01');
    expect(formatDecimal(Uint32Array.of(5, 0, 0, 0), 3)).toBe('0.005');
    expect(formatInterval(14, 3, 5_400_000_000_000n)).toBe('1 year 2 months 3 days 01:30:00');
    expect(formatInterval(-1, 0, -500_000n)).toBe('-1 month -00:00:00.0005');
    expect(formatInterval(0, 0, 0n)).toBe('00:00:00');
    // DuckDB sends intervals as MONTH_DAY_NANO, 16 bytes a value (apache-arrow 17's Vector.get misreads them).
    const iv = new Data(new Interval(IntervalUnit.MONTH_DAY_NANO as number as IntervalUnit.DAY_TIME), 0, 2, 0, [undefined, Int32Array.of(14, 3, 1226108928, 1257, -1, 0, 0, 0)]);
    expect([formatValue(iv, 0), formatValue(iv, 1)]).toEqual(['1 year 2 months 3 days 01:30:00', '-1 month']);
  });

  it('runs scripts statement by statement and reports which one failed', async () => {
    const r = await run(db, 'CREATE TEMP TABLE scratch AS SELECT 1 AS x; INSERT INTO scratch VALUES (2); SELECT x FROM scratch ORDER BY x');
    expect(r.statements).toBe(3);
    expect(r.changed).toBe(true);
    expect(shown(r)).toEqual([['1'], ['2']]);
    const err = await run(db, 'SELECT 1; SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsoleRunError);
    expect((err as Error).message).toMatch(/^Statement 2 of 2 failed \(statements 1–1 ran\): Catalog Error: Table with name no_such_table does not exist/);
    const json = await run(db, "SELECT json_extract('{}', '$.a')").catch((e: unknown) => e as Error);
    expect((json as Error).message).toMatch(/json extension is not available offline/);
    // The connection still works after errors.
    expect(shown(await run(db, 'SELECT 42 AS x'))).toEqual([['42']]);
    await run(db, 'DROP TABLE scratch');
  });

  it('keeps at most maxRows rows, and the downloads still get them all', async () => {
    const r = await run(db, 'SELECT range AS i FROM range(25) ORDER BY i DESC', 10);
    expect(r.rowCount).toBe(10);
    expect(r.truncated).toBe(true);
    expect(shown(r).map((x) => x[0])).toEqual(['24', '23', '22', '21', '20', '19', '18', '17', '16', '15']);
    const csv = parseCsv(await resultToCsv(db, r));
    expect(csv).toHaveLength(26);
    expect(csv[25]).toEqual(['0']);
  });

  // How long this takes is `npm run bench:sketch`'s figure (console_100k_rows_ms), not a test's.
  it('handles 100k rows: the result is Arrow, cells are formatted only when read', async () => {
    const r = await run(db, "SELECT range AS i, 'row ' || range AS label, TIMESTAMP '2026-01-01' + to_seconds(range) AS ts FROM range(100000)");
    expect(r.rowCount).toBe(100_000);
    expect(r.columns[1]!.text(99_999)).toBe('row 99999');
    expect(r.columns[2]!.text(86_400)).toBe('2026-01-02 00:00:00');
    expect(r.columns[0]!.text(50_000)).toBe('50000');
  });

  it('CSV download: RFC 4180 that native DuckDB reads back to the same values (text made spreadsheet-safe), NULL apart from empty', async () => {
    // language_name is never NULL now (issue 17): nullif brings back a NULL for the NULL-versus-empty check.
    const r = await run(db, `SELECT username, mastodon_text, app, nullif(language_name, 'unknown') AS language_name, bot, created_tz
      FROM mastodon_toot ORDER BY created_tz, username`);
    const csv = await resultToCsv(db, r);
    expect(csv.startsWith('username,mastodon_text,app,language_name,bot,created_tz\r\n')).toBe(true);
    expect(csv).toContain('alice,"MASTODON と DuckDB, ""quoted"", two\nlines",Ivory,Japanese,false,2022-08-31 08:15:00\r\n');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-csv-')), 'result.csv');
    writeFileSync(file, csv);
    const back = await nativeQuery<Record<string, unknown>>(
      `SELECT * FROM read_csv('${file}', header = true, quote = '"', escape = '"', all_varchar = true, allow_quoted_nulls = false)`,
    );
    // Text cells that a spreadsheet would run as a formula carry a leading ' (issue 14); bot and created_tz are not text.
    const text = new Set(['username', 'mastodon_text', 'app', 'language_name']);
    const expected = shown(r).map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, text.has(c.name) ? spreadsheetText(row[i] ?? null) : row[i]])));
    expect(expected.some((x) => String(x.mastodon_text).startsWith("'"))).toBe(true);
    // An empty field is NULL, "" is '' (DuckDB's writer does the same; its reader needs allow_quoted_nulls = false).
    expect(back).toEqual(expected);
    expect(back.some((x) => x.app === '')).toBe(true);
    expect(back.some((x) => x.language_name === null)).toBe(true);
  });

  it('Parquet download runs the same SQL wrapped as SELECT * FROM (…)', async () => {
    const [st] = splitStatements(`${example('Daily')} -- trailing comment\n;`);
    const sql = exportSql(st!)!;
    expect(sql).toBe(`SELECT * FROM (${example('Daily')}\n)`);
    const bytes = await queryToParquet(db, pq as unknown as ParquetModule, sql);
    const table = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
    expect(table.numRows).toBe(4);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['day', 'toots', 'users', 'top_user']);
    expect(table.getChild('top_user')!.toArray()).toEqual(['Gargron', 'trwnh', 'alice', 'chrismo']);
  });

  it('reads tables, views, column types and functions for completion', async () => {
    const s = await loadSchema(db);
    expect(s.tables.toots!.find((c) => c.name === 'hashtags')).toEqual({ name: 'hashtags', type: 'VARCHAR[]' });
    expect(s.tables.mastodon_toot!.map((c) => c.name)).toContain('language_name');
    expect(s.tables.language!.map((c) => c.name)).toEqual(['lang_iso', 'language_name']);
    expect(s.tzColumns).toEqual([]);
    await db.exec("CREATE TEMP TABLE imported AS SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' AS imported_ts");
    const again = await loadSchema(db);
    expect(again.tzColumns).toEqual(['imported_ts']);
    expect(guardSql("SELECT date_part('hour', imported_ts) FROM imported", { tzColumns: again.tzColumns }).action).toBe('refuse');
    await db.exec('DROP TABLE imported');
    const fns = await loadFunctionNames(db);
    expect(fns).toEqual(expect.arrayContaining(['mode', 'date_part', 'strftime', 'approx_count_distinct', 'read_csv']));
    expect(fns).not.toContain('read_parquet');
  });

  it('result CSV of a statement without rows is just its header', async () => {
    const r = await run(db, 'SELECT 1 AS a WHERE false');
    expect(resultCsv(r.columns, r.rowCount)).toBe('a\r\n');
  });
});

describe('query history', () => {
  it('keeps text only, newest first, without repeats, capped', () => {
    let h: string[] = [];
    h = addToHistory(h, '  SELECT 1  ');
    h = addToHistory(h, 'SELECT 2');
    h = addToHistory(h, 'SELECT 1');
    h = addToHistory(h, '   ');
    expect(h).toEqual(['SELECT 1', 'SELECT 2']);
    for (let i = 0; i < 150; i++) h = addToHistory(h, `SELECT ${i + 10}`);
    expect(h).toHaveLength(HISTORY_CAP);
    expect(h[0]).toBe('SELECT 159');
  });

  it('walks back and forth like a shell, restoring the draft', () => {
    const entries = ['newest', 'middle', 'oldest'];
    const c = new HistoryCursor();
    expect(c.newer(entries)).toBeNull();
    expect(c.older(entries, 'my draft')).toBe('newest');
    expect(c.older(entries, 'newest')).toBe('middle');
    expect(c.older(entries, 'middle')).toBe('oldest');
    expect(c.older(entries, 'oldest')).toBeNull();
    expect(c.newer(entries)).toBe('middle');
    expect(c.newer(entries)).toBe('newest');
    expect(c.newer(entries)).toBe('my draft');
    expect(c.newer(entries)).toBeNull();
  });

  it('survives a reload through its backend', async () => {
    const backend = memoryHistoryBackend();
    await backend.save(addToHistory([], 'SELECT 1'));
    expect(await backend.load()).toEqual(['SELECT 1']);
  });
});
