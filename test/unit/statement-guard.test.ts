import { describe, expect, it } from 'vitest';
import {
  MESSAGES, explainDuckDbError, exportSql, guardSql, splitStatements, wrapQuery, type GuardVerdict,
} from '../../src/core/sql/statement-guard';
import { tokenize } from '../../src/core/sql/sql-tokens';

const refused = (v: GuardVerdict) => (v.action === 'refuse' ? v.message : null);

describe('splitting statements', () => {
  it('splits at semicolons outside strings, quoted names, comments and dollar quotes', () => {
    const sql = `SELECT 'a;b' AS "x;y"; -- c;d
      SELECT $$ e;f $$, $tag$ g;h $tag$ /* i; /* nested; */ j; */ ;
      SELECT e'k\\';l';;`;
    const st = splitStatements(sql);
    expect(st.map((s) => s.text)).toEqual([
      `SELECT 'a;b' AS "x;y"`,
      `SELECT $$ e;f $$, $tag$ g;h $tag$`,
      `SELECT e'k\\';l'`,
    ]);
    expect(tokenize(`e'k\\';l'`)[0]).toMatchObject({ kind: 'string', value: "k';l" });
    expect(tokenize(`'it''s'`)[0]).toMatchObject({ kind: 'string', value: "it's" });
    expect(tokenize(`"a""b" x`)).toMatchObject([{ kind: 'ident', value: 'a"b', start: 0, end: 6 }, { kind: 'word', value: 'x' }]);
    expect(tokenize(`'open`)).toEqual([{ kind: 'string', value: 'open', start: 0, end: 5 }]);
  });

  it('tells queries from other statements', () => {
    const kinds = splitStatements(
      `SELECT 1; WITH x AS (SELECT 1) SELECT * FROM x; FROM toots; (SELECT 1) UNION (SELECT 2); VALUES (1);
       DESCRIBE toots; SHOW TABLES; SUMMARIZE toots; EXPLAIN SELECT 1; CREATE TABLE t AS SELECT 1;
       WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x; PRAGMA version; PIVOT t ON k USING sum(n)`,
    ).map((s) => [s.keyword, s.selectLike, s.readOnly]);
    expect(kinds).toEqual([
      ['select', true, true], ['with', true, true], ['from', true, true], ['', true, true], ['values', true, true],
      ['describe', true, true], ['show', true, true], ['summarize', true, true], ['explain', false, true],
      ['create', false, false], ['with', false, false], ['pragma', false, false], ['pivot', true, true],
    ]);
  });

  it('wraps a query for export with the closing parenthesis on its own line', () => {
    const [st] = splitStatements('SELECT 1 AS x -- trailing comment\n;');
    expect(st!.text).toBe('SELECT 1 AS x');
    expect(exportSql(st!)).toBe('SELECT * FROM (SELECT 1 AS x\n)');
    expect(wrapQuery('FROM t -- c', 11)).toBe('SELECT * FROM (FROM t -- c\n) LIMIT 11');
    const [explain] = splitStatements('EXPLAIN SELECT 1');
    expect(exportSql(explain!)).toBe('EXPLAIN SELECT 1');
    const [del] = splitStatements('DELETE FROM t');
    expect(exportSql(del!)).toBeNull();
  });
});

describe('the guard', () => {
  it('lets the notebook queries and ordinary work through', () => {
    for (const sql of [
      "SELECT created_tz::DATE AS day, count(*) AS toots, count(DISTINCT username) AS users, mode(CASE WHEN bot='False' THEN username END) AS top_user FROM mastodon_toot GROUP BY 1 ORDER BY 1",
      "SELECT date_part('hour', created_tz) AS h, count(*) FROM mastodon_toot WHERE language NOT IN ('unknown') GROUP BY 1",
      "SELECT * FROM mastodon_toot WHERE mastodon_text ILIKE '%read_parquet(%' OR url LIKE 'https://mastodon.social/%'",
      "SELECT * FROM read_csv('local.csv')",
      'CREATE TEMP TABLE mine AS SELECT * FROM toots',
      "SET VARIABLE since = '2026-11-18'; SELECT count(*) FROM toots WHERE created_at >= getvariable('since')",
      "PRAGMA table_info('toots')",
      'PRAGMA show_tables',
      'PRAGMA database_size',
      'DESCRIBE toots',
      'SHOW TABLES',
      'SUMMARIZE toots',
      'EXPLAIN SELECT count(*) FROM toots',
      "CALL pragma_table_info('toots')",
      'SELECT * FROM duckdb_settings()',
      "SELECT current_setting('threads')",
      'SELECT * FROM toots t JOIN language l ON t.language = l.lang_iso',
      'WITH x AS (SELECT acct FROM toots) SELECT count(*) FROM x',
      "SELECT 'DELETE FROM toot_store' AS s, \"update\" FROM mine",
      '/* UPDATE toot_store SET x = 1 */ SELECT 1',
      "SELECT now()::TIMESTAMP, CAST(current_timestamp AS TIMESTAMP), to_timestamp(created_at)::TIMESTAMP FROM toots",
      "SELECT 'INSTALL httpfs' AS text, 'at time zone' AS t",
      '-- INSTALL httpfs\nSELECT 1',
    ]) {
      expect(guardSql(sql), sql).toMatchObject({ action: 'run' });
    }
    expect(guardSql('  -- nothing\n ; ;')).toEqual({ action: 'empty' });
  });

  it('refuses extension installs and loads, and turning autoload back on', () => {
    for (const sql of ['INSTALL httpfs', 'LOAD parquet', 'FORCE INSTALL json', 'UPDATE EXTENSIONS', 'install icu from community']) {
      expect(refused(guardSql(sql)), sql).toBe(MESSAGES.extensions);
    }
    expect(refused(guardSql('SET autoload_known_extensions = true'))).toBe(MESSAGES.extensionSetting('autoload_known_extensions'));
    expect(refused(guardSql('SET GLOBAL autoinstall_known_extensions=1'))).toContain('autoinstall_known_extensions');
    expect(refused(guardSql("SET custom_extension_repository = 'https://x'"))).toContain('custom_extension_repository');
    expect(refused(guardSql('RESET autoload_known_extensions'))).toContain('autoload_known_extensions');
    expect(refused(guardSql('PRAGMA autoload_known_extensions'))).toContain('autoload_known_extensions');
  });

  it('refuses the Parquet and JSON readers (not available offline) and points to Import/Export', () => {
    const msg = refused(guardSql("SELECT * FROM read_parquet('https://example.org/toots.parquet')"));
    expect(msg).toBe(MESSAGES.parquetJson('read_parquet()'));
    expect(msg).toMatch(/not available offline/);
    expect(msg).toMatch(/Import button/);
    expect(msg).toMatch(/Export Parquet/);
    expect(refused(guardSql("select * from READ_JSON_AUTO('x.json')"))).toContain('read_json_auto()');
    expect(refused(guardSql("SELECT * FROM parquet_metadata('x.parquet')"))).toContain('parquet_metadata()');
    expect(refused(guardSql("SELECT * FROM 'dump.parquet'"))).toContain("'dump.parquet'");
    expect(refused(guardSql("SELECT * FROM toots JOIN 'x.ndjson.gz' USING (id)"))).toContain('x.ndjson.gz');
  });

  it('refuses reads from the network', () => {
    expect(refused(guardSql("SELECT * FROM read_csv('https://example.org/a.csv', header = true)"))).toBe(MESSAGES.network('https://example.org/a.csv'));
    expect(refused(guardSql("FROM 's3://bucket/a.csv'"))).toContain('s3://bucket/a.csv');
    expect(refused(guardSql("ATTACH 'https://example.org/db.duckdb' AS remote"))).toContain('https://example.org/db.duckdb');
    expect(refused(guardSql("ATTACH ':memory:' AS scratch"))).toBe(MESSAGES.databases('ATTACH'));
  });

  it('refuses what would break the shared connection', () => {
    for (const sql of ['BEGIN', 'BEGIN TRANSACTION', 'START TRANSACTION', 'COMMIT', 'ROLLBACK', 'END', 'ABORT']) {
      expect(refused(guardSql(sql)), sql).toMatch(/shares DuckDB's connection with collection/);
    }
    expect(refused(guardSql('USE scratch'))).toMatch(/default schema/);
    expect(refused(guardSql("SET search_path = 'other'"))).toMatch(/default schema/);
    expect(refused(guardSql("COPY toots TO 'toots.csv'"))).toMatch(/^COPY is refused.*Download CSV/);
    expect(refused(guardSql("EXPORT DATABASE 'dir'"))).toMatch(/^EXPORT DATABASE is refused/);
  });

  it('refuses time-zone arithmetic, which would load ICU', () => {
    expect(refused(guardSql("SELECT timezone('UTC', created_tz) FROM mastodon_toot"))).toBe(MESSAGES.icu('timezone()'));
    expect(refused(guardSql("SELECT created_tz AT TIME ZONE 'Europe/Berlin' FROM mastodon_toot"))).toBe(MESSAGES.icu('AT TIME ZONE'));
    expect(refused(guardSql("SELECT '2026-01-01'::TIMESTAMPTZ"))).toBe(MESSAGES.icu('TIMESTAMPTZ'));
    expect(refused(guardSql('CREATE TABLE t (x TIMESTAMP WITH TIME ZONE)'))).toBe(MESSAGES.icu('TIMESTAMP WITH TIME ZONE'));
    expect(refused(guardSql("SELECT date_part('hour', now())"))).toBe(MESSAGES.icuSource('now()'));
    expect(refused(guardSql("SELECT date_trunc('day', current_timestamp)"))).toBe(MESSAGES.icuSource('current_timestamp'));
    expect(refused(guardSql("SELECT date_part('hour', to_timestamp(created_at)) FROM toots"))).toBe(MESSAGES.icuSource('to_timestamp()'));
    // Columns DuckDB reports as TIMESTAMP WITH TIME ZONE (an imported table), unless cast first.
    const tz = { tzColumns: ['imported_ts'] };
    expect(refused(guardSql("SELECT date_part('hour', t.imported_ts) FROM t", tz))).toBe(MESSAGES.icuSource('imported_ts'));
    expect(guardSql("SELECT date_part('hour', t.imported_ts::TIMESTAMP) FROM t", tz)).toMatchObject({ action: 'run' });
    expect(guardSql("SELECT date_part('hour', CAST(t.imported_ts AS TIMESTAMP)) FROM t", tz)).toMatchObject({ action: 'run' });
  });

  it('refuses a whole script when one statement is refused, naming it', () => {
    expect(refused(guardSql('SELECT 1; LOAD httpfs; SELECT 2'))).toBe(`Statement 2: ${MESSAGES.extensions}`);
  });

  it("refuses every write to the app's own tables and views, however it is written", () => {
    const cases: Array<[string, string[]]> = [
      ["UPDATE toot_store SET mastodon_text = 'PWNED' WHERE m_id % 3 = 0", ['toot_store']],
      ['DELETE FROM toot_store WHERE m_id % 2 = 0', ['toot_store']],
      ['delete from "toot_store"', ['toot_store']],
      ['DELETE FROM "Toot_Store"', ['toot_store']],
      ['DeLeTe/**/FrOm\n\ttoot_store', ['toot_store']],
      ['DELETE -- comment ; with a semicolon\nFROM toot_store', ['toot_store']],
      ['DELETE /* a /* nested */ comment */ FROM toot_store', ['toot_store']],
      ['INSERT INTO main.toot_store SELECT * FROM toot_store', ['toot_store']],
      ['INSERT INTO memory.main.toot_store BY NAME SELECT 1 AS m_id', ['toot_store']],
      ['insert or replace into "main"."toot_store" values (1)', ['toot_store']],
      ['UPDATE main."toot_store" AS t SET acct = lower(acct)', ['toot_store']],
      ['WITH d AS (SELECT uri FROM toots) DELETE FROM toot_store WHERE uri IN (SELECT uri FROM d)', ['toot_store']],
      ['WITH RECURSIVE d(n) AS (SELECT 1) UPDATE toot_store SET seg = NULL', ['toot_store']],
      ['(WITH d AS (SELECT 1) DELETE FROM toot_store)', ['toot_store']],
      ['EXPLAIN ANALYZE DELETE FROM toot_store', ['toot_store']],
      ['PREPARE wipe AS DELETE FROM toot_store WHERE m_id > $1', ['toot_store']],
      ['MERGE INTO toot_store USING mine ON toot_store.uri = mine.uri WHEN MATCHED THEN DELETE', ['toot_store']],
      ['TRUNCATE toot_store', ['toot_store']],
      ['TRUNCATE TABLE sightings', ['sightings']],
      ['DROP TABLE toots', ['toots']],
      ['drop table if exists mine, main.toot_store', ['toot_store']],
      ['DROP VIEW mastodon_toot', ['mastodon_toot']],
      ['ALTER TABLE toot_store ADD COLUMN x INT', ['toot_store']],
      ['ALTER TABLE mine RENAME TO toots', ['toots']],
      ['CREATE OR REPLACE TABLE rollup_summary AS SELECT 1', ['rollup_summary']],
      ['CREATE TEMP TABLE toots AS SELECT 1', ['toots']],
      ['CREATE TEMPORARY VIEW language AS SELECT 1', ['language']],
      ['CREATE TEMP TABLE incoming (x INT)', ['incoming']],
      ['CREATE INDEX by_acct ON toot_store (acct)', ['toot_store']],
      ["COMMENT ON COLUMN toot_store.acct IS 'x'", ['toot_store']],
      ['UPDATE rollup_authors SET n = 0', ['rollup_authors']],
      // Every table the dashboard reads, not only the first cubes: these persist in DuckDB's file.
      ['DELETE FROM daily_authors_pair', ['daily_authors_pair']],
      ['DELETE FROM daily_authors_part_lang', ['daily_authors_part_lang']],
      ['UPDATE daily_authors_part SET users = 0', ['daily_authors_part']],
      ['INSERT INTO language VALUES (1, 2)', ['language']],
      ['DROP SCHEMA main CASCADE', ['schema main']],
      ['SELECT 1; DELETE FROM toots; DROP TABLE sightings', ['toots']],
    ];
    for (const [sql, objects] of cases) {
      const message = refused(guardSql(sql));
      expect(message, sql).toMatch(/is refused: the console can read the app's own tables and views but not change them/);
      for (const o of objects) expect(message, sql).toContain(o);
      // Says what to do instead.
      expect(message, sql).toContain('CREATE TEMP TABLE mine AS SELECT * FROM toots');
    }
    expect(refused(guardSql('SELECT 1; DELETE FROM toots'))).toMatch(/^Statement 2: DELETE on toots is refused/);
  });

  it('asks before changing tables made in the console, and says truly what a reload does to them', () => {
    const cases: Array<[string, string[]]> = [
      ['DELETE FROM mine', ['mine']],
      ['DROP TABLE IF EXISTS mine', ['mine']],
      ['UPDATE mine SET toots = 1', ['mine']],
      ['INSERT INTO mine SELECT * FROM toots', ['mine']],
      ['CREATE OR REPLACE TEMP TABLE mine AS SELECT * FROM toots', ['mine']],
      ['CREATE TEMP TABLE mine AS SELECT * FROM toots; DELETE FROM mine WHERE bot; DROP TABLE other', ['mine', 'other']],
      ['WITH x AS (SELECT 1) DELETE FROM scratch.mine', ['mine']],
    ];
    for (const [sql, objects] of cases) {
      const v = guardSql(sql);
      expect(v.action, sql).toBe('confirm');
      if (v.action !== 'confirm') continue;
      expect(v.objects, sql).toEqual(objects);
      expect(v.message).toMatch(/only in this tab's DuckDB/);
      expect(v.message).toMatch(/A TEMP table is gone after a reload; in the tab that collects, any other table may be kept in DuckDB's database file/);
      expect(v.message).not.toMatch(/a reload starts without them/);
      expect(v.message).toMatch(/Run it anyway\?$/);
    }
    for (const sql of ['CREATE TEMP TABLE mine AS SELECT * FROM toots', 'CREATE TABLE t2 (x INT)', 'CREATE VIEW v AS FROM toots', 'CREATE INDEX i ON mine (acct)']) {
      expect(guardSql(sql), sql).toMatchObject({ action: 'run' });
    }
  });

  it('refuses settings and statements that can break or escape the engine', () => {
    const setting = /is refused: the console shares one DuckDB with collection and the panels/;
    for (const sql of [
      "SET memory_limit='10MB'", 'SET threads = 1', 'SET GLOBAL threads TO 64', "set session max_memory = '1GB'",
      "SET temp_directory = '/tmp'", 'SET enable_external_access = false', 'RESET memory_limit', 'SET "memory_limit" = \'1GB\'',
      "PRAGMA memory_limit='10MB'", 'PRAGMA threads = 1', 'PRAGMA some_unknown_pragma', 'SET preserve_insertion_order = false',
      'SET errors_as_json = true', "SET default_order = 'desc'",
    ]) {
      expect(refused(guardSql(sql)), sql).toMatch(setting);
    }
    expect(refused(guardSql("SET memory_limit='10MB'"))).toBe(MESSAGES.setting('SET memory_limit'));
    expect(refused(guardSql('PRAGMA threads=4'))).toBe(MESSAGES.setting('PRAGMA threads'));
    expect(refused(guardSql("SET TimeZone = 'Europe/Berlin'"))).toBe(MESSAGES.icu('SET timezone'));
    expect(refused(guardSql("SET autoinstall_known_extensions = true"))).toBe(MESSAGES.extensionSetting('autoinstall_known_extensions'));
    for (const [sql, what] of [
      ["ATTACH 'other.db' AS other", 'ATTACH'], ["attach database ':memory:'", 'ATTACH'], ['DETACH other', 'DETACH'], ['DETACH DATABASE memory', 'DETACH'],
    ] as const) {
      expect(refused(guardSql(sql)), sql).toBe(MESSAGES.databases(what));
    }
    for (const [sql, what] of [
      ['CHECKPOINT', 'CHECKPOINT'], ['FORCE CHECKPOINT', 'FORCE CHECKPOINT'], ['VACUUM', 'VACUUM'], ['vacuum analyze mine', 'VACUUM'],
      ['CALL checkpoint()', 'checkpoint()'], ['CALL force_checkpoint()', 'force_checkpoint()'], ['SELECT * FROM enable_profiling()', 'enable_profiling()'],
      ['CALL disable_optimizer()', 'disable_optimizer()'], ['PRAGMA disable_optimizer', 'PRAGMA disable_optimizer'],
      ['PRAGMA enable_profiling', 'PRAGMA enable_profiling'], ["CALL copy_database('memory', 'other')", 'copy_database()'],
      ['PRAGMA force_checkpoint', 'PRAGMA force_checkpoint'], ["CALL verify_parallelism()", 'verify_parallelism()'],
    ] as const) {
      expect(refused(guardSql(sql)), sql).toBe(MESSAGES.engine(what));
    }
    expect(refused(guardSql("USE memory.main"))).toMatch(/default schema/);
    expect(refused(guardSql("COPY toot_store TO 'x.csv'"))).toMatch(/^COPY is refused/);
    expect(refused(guardSql("COPY (SELECT 1) TO 'x.csv'"))).toMatch(/^COPY is refused/);
    expect(refused(guardSql("COPY toot_store FROM 'x.csv'"))).toMatch(/^COPY is refused/);
    expect(refused(guardSql("IMPORT DATABASE 'dir'"))).toMatch(/^IMPORT DATABASE is refused/);
    expect(refused(guardSql("PREPARE p AS INSTALL httpfs"))).toBe(MESSAGES.extensions);
  });

  it('refuses a script that smuggles any of these in after a query', () => {
    for (const [sql, start] of [
      ["SELECT 1; SET memory_limit='10MB'", 'Statement 2: SET memory_limit'],
      ["SELECT count(*) FROM toots;\n-- harmless?\n  attach ':memory:' AS x; SELECT 2", 'Statement 2: ATTACH'],
      ["SELECT ';'; /* ; */ PRAGMA threads=1", 'Statement 2: PRAGMA threads'],
      ['FROM toots;CHECKPOINT', 'Statement 2: CHECKPOINT'],
      ["SELECT $$;$$; SELECT 'x'';'; DELETE FROM toot_store", 'Statement 3: DELETE on toot_store'],
    ] as const) {
      expect(refused(guardSql(sql)), sql).toMatch(new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });

  it('explains extension errors instead of repeating advice that cannot work offline', () => {
    const raw =
      'Catalog Error: Scalar Function with name "json_extract" is not in the catalog, but it exists in the json extension.\n\n' +
      'Please try installing and loading the json extension by running:\nINSTALL json;\nLOAD json;';
    const text = explainDuckDbError(raw);
    expect(text).toContain('exists in the json extension');
    expect(text).not.toContain('INSTALL json');
    expect(text).toMatch(/not available offline/);
    expect(explainDuckDbError('Parser Error: syntax error at or near "SELEC"')).toBe('Parser Error: syntax error at or near "SELEC"');
    // duckdb-wasm repeats the position block.
    const twice = 'Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^\n\nLINE 1: SELEC 1\n        ^';
    expect(explainDuckDbError(twice)).toBe('Parser Error: syntax error at or near "SELEC"\n\nLINE 1: SELEC 1\n        ^');
  });
});
