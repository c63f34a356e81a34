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
    expect(exportSql(st!)).toBe('SELECT * FROM (\nSELECT 1 AS x\n)');
    expect(wrapQuery('FROM t -- c', 11)).toBe('SELECT * FROM (\nFROM t -- c\n) LIMIT 11');
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
      'CREATE TEMP TABLE mine AS SELECT * FROM toots; DROP TABLE mine',
      "SELECT now()::TIMESTAMP, CAST(current_timestamp AS TIMESTAMP), to_timestamp(created_at)::TIMESTAMP FROM toots",
      "SET threads = 2",
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
    expect(guardSql("ATTACH ':memory:' AS scratch")).toMatchObject({ action: 'run' });
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

  it('asks before DROP, DELETE and other changes to the app tables', () => {
    const cases: Array<[string, string[]]> = [
      ['DROP TABLE toots', ['toots']],
      ['drop table if exists main.toots, mine', ['toots']],
      ['DELETE FROM toots WHERE bot', ['toots']],
      ['delete from "Toots"', ['toots']],
      ['TRUNCATE toots', ['toots']],
      ["UPDATE toots SET app = ''", ['toots']],
      ['INSERT INTO language VALUES (1, 2)', ['language']],
      ['DROP VIEW mastodon_toot', ['mastodon_toot']],
      ['ALTER TABLE toots ADD COLUMN x INT', ['toots']],
      ['CREATE OR REPLACE TABLE sightings AS SELECT 1', ['sightings']],
      ['CREATE TEMP TABLE toots AS SELECT 1', ['toots']],
      ['WITH d AS (SELECT uri FROM toots) DELETE FROM toots WHERE uri IN (SELECT uri FROM d)', ['toots']],
      ['SELECT 1; DELETE FROM toots; DROP TABLE sightings', ['toots', 'sightings']],
    ];
    for (const [sql, objects] of cases) {
      const v = guardSql(sql);
      expect(v.action, sql).toBe('confirm');
      if (v.action === 'confirm') {
        expect(v.objects, sql).toEqual(objects);
        expect(v.message).toMatch(/Run it anyway\?$/);
      }
    }
    const drop = guardSql('DROP TABLE toots');
    expect(drop.action === 'confirm' && drop.message).toMatch(/new toots will not reach DuckDB/);
    const del = guardSql('DELETE FROM toots');
    expect(del.action === 'confirm' && del.message).not.toMatch(/will not reach/);
    expect(del.action === 'confirm' && del.message).toMatch(/session only/);
    for (const sql of ['DELETE FROM mine', 'DROP TABLE IF EXISTS mine', 'SELECT * FROM toots', "INSERT INTO mine SELECT * FROM toots", 'UPDATE mine SET toots = 1']) {
      expect(guardSql(sql), sql).toMatchObject({ action: 'run' });
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
