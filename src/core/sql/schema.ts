import { SQL_TYPE, TOOT_COLUMNS, type TootRow } from '../toot';

/**
 * The DuckDB schema and the merge that turns appended batches into one row per post.
 * Collected rows are never deduplicated in JavaScript: a batch lands in `incoming` and these
 * statements fold it into `toots`, so a reload that replays the stored batches in order rebuilds
 * exactly the same table.
 */
const cols = TOOT_COLUMNS.map(([name]) => name);

/** Set by the first sighting of a post; never changed by later versions. */
const IDENTITY = new Set<keyof TootRow>(['m_id', 'id', 'base_url', 'received_at', 'source', 'seen_on']);
/**
 * Everything else comes from the latest version seen ("counts when last seen"), except `app`:
 * only the origin instance's copy carries `application`, so an empty app never overwrites one.
 */
const CONTENT = cols.filter((c) => !IDENTITY.has(c));

/**
 * Texts of at least this many bytes are kept in `toot_store.long_text`, not `mastodon_text`, cut
 * into parts of at most LONG_TEXT_PART characters (4 bytes a character at most: under this limit).
 * DuckDB keeps a string of this size (its string block limit) uncompressed in an overflow block:
 * one of its own per column segment of an in-memory table, 256 KiB however short (at 1.6 M demo
 * toots the 0.2 % longer than 4 KiB took 265 of DuckDB's ~820 MiB), and even in a column of their
 * own 229 blocks of the database file (60 MB, 37 B a toot). Cut into parts, they are ordinary
 * strings that DuckDB compresses like the rest: 110 blocks (native DuckDB; docs/BENCHMARKS.md).
 * Short rows hold an empty list, never NULL.
 */
export const LONG_TEXT_BYTES = 4096;
export const LONG_TEXT_PART = 1000;
const shortText = (e: string) => `CASE WHEN strlen(${e}) < ${LONG_TEXT_BYTES} THEN ${e} ELSE '' END`;
const longText = (e: string) =>
  `CASE WHEN strlen(${e}) < ${LONG_TEXT_BYTES} THEN []::VARCHAR[] ELSE [substring(${e}, p, ${LONG_TEXT_PART}) FOR p IN range(1, length(${e}) + 1, ${LONG_TEXT_PART})] END`;

/** segment-form's limit on a url it builds from a uri, in bytes. */
export const URL_FROM_URI_MAX_BYTES = 1024;

/**
 * Columns DuckDB's file leaves NULL wherever they equal what this gives from the row's other
 * columns (`a` is the row's alias with its dot, or ''): the archive's segments leave out the same
 * ones (store/archive/segment-form.ts, whose builders these mirror exactly; test/unit/derived-columns
 * checks it), and `toots` puts them back. At 1.6 M toots this is 208 of the file's 1,758 blocks
 * (native DuckDB). None of these columns is ever NULL in `toots` (normalize and import always give
 * a string), so NULL is free to mean "derived". `created_at` stays: the merge's time window reads it.
 */
export const DERIVED_IN_FILE: Readonly<Record<string, (a: string) => string>> = {
  id: (a) => `${a}m_id::VARCHAR`,
  // segment-form's urlFromUri: a Mastodon status uri as its web page, one whose page would be
  // over the limit as itself (the page is the uri less '/users/' and '/statuses/' plus '/@', '/').
  url: (a) => `CASE WHEN strlen(${a}uri) > ${URL_FROM_URI_MAX_BYTES + 14} THEN ${a}uri
    ELSE regexp_replace(${a}uri, '^([^/]*/(?s:.)[^/]*)/users/([^/]+)/statuses/([^/]+)$', '\\1/@\\2/\\3') END`,
  username: (a) => `split_part(${a}acct, '@', 1)`,
  created_at_str: (a) => `strftime(${a}created_ts, '%Y %m %d %H:%M:%S')`,
};

/** Column `c` of a toot-shaped row `a` (alias with its dot) as `toot_store` keeps it. */
const storedValue = (c: string, a: string) => {
  const derive = DERIVED_IN_FILE[c];
  return derive ? `CASE WHEN ${a}${c} = ${derive(a)} THEN NULL ELSE ${a}${c} END` : `${a}${c}`;
};
/** Column `c` of `toot_store` (alias `a` with its dot, or '') as the toot table has it. */
export const tootValue = (c: string, a = '') => {
  if (c === 'mastodon_text') return `CASE WHEN len(${a}long_text) = 0 THEN ${a}mastodon_text ELSE array_to_string(${a}long_text, '') END`;
  const derive = DERIVED_IN_FILE[c];
  return derive ? `coalesce(${a}${c}, ${derive(a)})` : `${a}${c}`;
};

/**
 * Columns DuckDB must not compress. `acct` has ~143 k distinct values per 1.6 M rows, so DuckDB's
 * DICT_FSST gives it a big per-segment dictionary, and `count(DISTINCT acct)` FSST-decodes every
 * row: in DuckDB-WASM (Node, one thread, 1.6 M bench toots) it took 261 ms compressed and 143 ms
 * plain, and the summary 258 against 168 ms. The low-cardinality columns keep DICT_FSST, whose
 * dictionary vectors make their distinct counts ~10× faster than plain strings.
 */
const UNCOMPRESSED = new Set<string>(['acct']);
const columnDefinition = ([n, k]: readonly [string, keyof typeof SQL_TYPE]) =>
  `${n} ${SQL_TYPE[k]}${UNCOMPRESSED.has(n) ? ' USING COMPRESSION uncompressed' : ''}`;

/**
 * `toot_store`'s columns as the toot table's: the text put back together, derived columns filled
 * in, but for `asStored` of them, left as the file keeps them for a reader that rebuilds them.
 */
export const storedAsToots = (asStored: readonly string[] = []) =>
  cols.map((c) => (c === 'mastodon_text' || (DERIVED_IN_FILE[c] && !asStored.includes(c)) ? `${tootValue(c)} AS ${c}` : c)).join(', ');
export const STORED_AS_TOOTS = storedAsToots();

/** A toot-shaped row source's columns (alias `t`) as `toot_store`'s, with `seg` NULL. */
export const TOOTS_AS_STORED = cols.map((c) => (c === 'mastodon_text' ? shortText('t.mastodon_text') : storedValue(c, 't.'))).join(', ')
  + `, NULL, ${longText('t.mastodon_text')}`;

/**
 * `uri_keys`: each stored row's time and its uri's hash, so the merge finds the stored rows of a
 * batch's posts (`hitsStatement`) by reading two numbers a row, not the uri strings of a day of
 * posts either side of the batch: 238 ms a merge at 10 M toots in the browser, most of the
 * growth of a merge's cost with the table (73 against 17 ms natively, one thread). Every row of
 * `toot_store` has its key (an update that moves a post's time adds its new one); a key whose row
 * has gone only costs a look at the rows of that second, so keys are added and not taken out,
 * but by a retention step and a rebuild. DuckDB's `hash` may change between its versions: a file
 * from another version of DuckDB is rebuilt (store/table-file.ts), keys and all.
 */
export const URI_KEYS = 'uri_keys';
const keyOf = (a: string) => `${a}created_at, hash(${a}uri)`;
/** The keys computed from `toot_store`: after a bulk load, or for a file made before they were kept. */
export const REBUILD_URI_KEYS = `CREATE OR REPLACE TABLE ${URI_KEYS} AS SELECT ${keyOf('')} AS h FROM toot_store`;
/** Keys for the rows of `rel` (alias `t`) under `where`. */
const addKeys = (rel: string, where: string) => `INSERT INTO ${URI_KEYS} SELECT ${keyOf('t.')} FROM ${rel} t WHERE ${where}`;

/**
 * Rows live in `toot_store` with the id of the stored Parquet segment that holds them (`seg`, NULL
 * until the next compaction writes them; see store/local-data.ts); `toots` is that table without
 * `seg` and with long texts back in `mastodon_text`, which is what every reader and the SQL
 * console see.
 */
export const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS toot_store (${TOOT_COLUMNS.map(columnDefinition).join(', ')}, seg INTEGER, long_text VARCHAR[])`,
  `CREATE OR REPLACE VIEW toots AS SELECT ${STORED_AS_TOOTS} FROM toot_store`,
  // Where a post was seen besides its first sighting, so a delete naming another instance's id finds it.
  `CREATE TABLE IF NOT EXISTS sightings (uri VARCHAR, base_url VARCHAR, id VARCHAR)`,
  // Deletes can arrive before the post: keep them, and the uris they resolved to.
  `CREATE TABLE IF NOT EXISTS tombstones (base_url VARCHAR, id VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS deleted_uris (uri VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS language (lang_iso VARCHAR, language_name VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${URI_KEYS} (created_at BIGINT, h UBIGINT)`,
];

/** The seed notebook's views (SCHEMA.md § Views). `created_tz` is UTC; see DUCKDB-WASM.md on ICU. */
export function notebookViews(source = 'toots'): string[] {
  return [
    `CREATE OR REPLACE VIEW mastodon_toot_raw AS SELECT m_id, created_at, created_at_str, app, url, base_url,
       language, favourites, username, bot, tags, characters, words, mastodon_text,
       created_ts AS created_tz, from_instance FROM ${source}`,
    // A code the language table lacks (a server's own, an imported file's) gets its code, never NULL.
    `CREATE OR REPLACE VIEW mastodon_toot AS SELECT r.*, coalesce(l.language_name, r.language) AS language_name
       FROM mastodon_toot_raw r LEFT JOIN language l ON r.language = l.lang_iso`,
  ];
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** What the merge asks about `incoming` before choosing its statements. */
export const INCOMING_STATS_SQL = `SELECT count(*)::INTEGER AS n, count(DISTINCT uri)::INTEGER AS uris,
  min(created_at)::DOUBLE AS lo, max(created_at)::DOUBLE AS hi, count(created_at)::INTEGER AS timed FROM incoming`;

export interface IncomingStats {
  n: number;
  uris: number;
  lo: number | null;
  hi: number | null;
  timed: number;
}

/**
 * Every copy and version of a post carries the post's own `created_at` (an edit or a federated
 * copy never changes it; a copy may lose sub-second digits). So a stored row with an incoming uri
 * lies inside the batch's time span, and bounding the probe by it lets DuckDB skip every row group
 * whose zone map is outside: the merge reads the newest few row groups, not the whole table.
 * The slack is generous on purpose; a batch without times falls back to the whole table.
 */
export const SAME_POST_SLACK_S = 86_400;

export function timeWindow(stats: IncomingStats, alias = 't'): string {
  if (stats.lo === null || stats.hi === null || stats.timed < stats.n) return 'TRUE';
  return `${alias}.created_at BETWEEN ${Math.floor(stats.lo) - SAME_POST_SLACK_S} AND ${Math.ceil(stats.hi) + SAME_POST_SLACK_S}`;
}

/**
 * The batch reduced to one row per uri: identity from the first sighting, content from the latest
 * version. A batch with no repeated uri (the usual case) is already that.
 */
export function batchStatement(stats: IncomingStats): string {
  // A view, not a copy: the batch is read two or three times and copying every column costs more.
  if (stats.uris === stats.n) return `CREATE OR REPLACE TEMP VIEW batch AS SELECT * FROM incoming`;
  return `CREATE OR REPLACE TEMP TABLE batch AS
     WITH ranked AS (
       SELECT *,
         row_number() OVER (PARTITION BY uri ORDER BY received_at, rowid) AS first_rank,
         row_number() OVER (PARTITION BY uri ORDER BY coalesce(edited_at, TIMESTAMP '1970-01-01') DESC, received_at DESC, rowid DESC) AS latest_rank,
         max(app) OVER (PARTITION BY uri) AS any_app
       FROM incoming
     ),
     seen AS (SELECT uri, list_sort(list_distinct(flatten(list(seen_on)))) AS seen_on FROM incoming GROUP BY uri)
     SELECT ${cols.map((c) => (c === 'seen_on' ? 's.seen_on' : c === 'app' ? `coalesce(nullif(l.app, ''), l.any_app) AS app` : IDENTITY.has(c) ? `f.${c}` : `l.${c}`)).join(', ')}
     FROM ranked f JOIN ranked l ON f.uri = l.uri AND l.latest_rank = 1 JOIN seen s ON s.uri = f.uri
     WHERE f.first_rank = 1`;
}

/**
 * Stored rows the batch touches, with their segment (which then has to be rewritten). The keys
 * (`uri_keys`) name the seconds such a row can be at; only the rows of those seconds are read by
 * uri. A batch without times reads the whole table.
 */
export function hitsStatement(stats: IncomingStats): string {
  const win = timeWindow(stats);
  const seconds = win === 'TRUE' ? '' : ` AND t.created_at IN (SELECT k.created_at FROM ${URI_KEYS} k
       WHERE ${timeWindow(stats, 'k')} AND k.h IN (SELECT hash(uri) FROM batch))`;
  return `CREATE OR REPLACE TEMP TABLE hits AS
     SELECT t.uri, t.seg FROM toot_store t WHERE ${win}${seconds} AND t.uri IN (SELECT uri FROM batch)`;
}

/** How many rows `from` (a table or `table WHERE …` with a `seg` column) holds, and their segments. */
export const segmentsSql = (from: string) =>
  `SELECT count(*)::INTEGER AS n, coalesce(string_agg(DISTINCT seg::VARCHAR, ','), '') AS segs FROM ${from}`;

export interface MergePlan {
  /** Stored rows the UPDATE changes (alias `t`): their old versions leave the rollups, new ones enter. */
  hitRows: string | null;
  update: string | null;
  /** Batch rows that become new stored rows (alias `t`, over `batch`). */
  newRows: string;
  insert: string;
  after: string[];
}

/**
 * Statements that fold `batch` into `toot_store`, given whether any stored row was hit and whether
 * the batch itself repeated a uri. Without either, every row is a post's first sighting: no update,
 * no sightings, a plain append.
 */
export function mergeStatements(stats: IncomingStats, hits: number): MergePlan {
  const win = timeWindow(stats, 'toot_store');
  const newRows = `NOT EXISTS (SELECT 1 FROM deleted_uris d WHERE d.uri = t.uri)${hits > 0 ? ' AND t.uri NOT IN (SELECT uri FROM hits)' : ''}`;
  const hitRows = hits > 0 ? `${timeWindow(stats)} AND t.uri IN (SELECT uri FROM hits)` : null;
  // Keys for the new rows, and for the batch's copies of stored posts at a second not yet keyed:
  // a newer version moves its stored row there. Read from the batch, not by uri from the table;
  // a key for a copy that did not win is one more second to look at, no more.
  const after: string[] = [addKeys('batch', newRows)];
  if (hits > 0) {
    after.push(addKeys('batch', `t.uri IN (SELECT uri FROM hits)
       AND NOT EXISTS (SELECT 1 FROM ${URI_KEYS} k WHERE ${timeWindow(stats, 'k')} AND k.created_at = t.created_at AND k.h = hash(t.uri))`));
  }
  if (hits > 0 || stats.uris < stats.n) {
    // After the insert, so a second copy that arrived in the same batch as the first is recorded.
    after.push(`INSERT INTO sightings SELECT DISTINCT i.uri, i.base_url, i.id FROM incoming i JOIN toot_store t ON t.uri = i.uri
       WHERE ${timeWindow(stats)} AND i.base_url <> t.base_url
         AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.base_url = i.base_url AND s.id = i.id)`);
  }
  // A post whose delete came first: its tombstone now resolves to a uri (removed by `dropResolved`).
  after.push(`CREATE OR REPLACE TEMP TABLE resolved AS
       SELECT DISTINCT i.uri FROM incoming i JOIN tombstones d ON d.base_url = i.base_url AND d.id = i.id`);
  return {
    hitRows,
    update: hits > 0
      ? `UPDATE toot_store SET
       seen_on = list_sort(list_distinct(list_concat(toot_store.seen_on, b.seen_on))),
       ${CONTENT.flatMap(updateContent).join(',\n       ')}
     FROM batch b WHERE toot_store.uri = b.uri AND ${win}`
      : null,
    newRows,
    insert: `INSERT INTO toot_store SELECT ${TOOTS_AS_STORED} FROM batch t WHERE ${newRows}`,
    after,
  };
}

/** A newer version of a post replaces a content column; the text goes to one of its two columns. */
function updateContent(c: string): string[] {
  const newer = `coalesce(b.edited_at, TIMESTAMP '1970-01-01') >= coalesce(toot_store.edited_at, TIMESTAMP '1970-01-01')`;
  if (c === 'mastodon_text') {
    return [
      `mastodon_text = CASE WHEN ${newer} THEN ${shortText('b.mastodon_text')} ELSE toot_store.mastodon_text END`,
      `long_text = CASE WHEN ${newer} THEN ${longText('b.mastodon_text')} ELSE toot_store.long_text END`,
    ];
  }
  // An app fills an empty one whichever version brings it, as `batchStatement` takes any copy's.
  if (c === 'app') return [`app = CASE WHEN b.app <> '' AND (${newer} OR toot_store.app = '') THEN b.app ELSE toot_store.app END`];
  return [`${c} = CASE WHEN ${newer} THEN ${storedValue(c, 'b.')} ELSE toot_store.${c} END`];
}

/** Stored rows of posts whose delete came first (alias `t`). */
export const resolvedRows = (stats: IncomingStats) => `${timeWindow(stats)} AND t.uri IN (SELECT uri FROM resolved)`;

export function dropResolved(stats: IncomingStats): string[] {
  return [
    `INSERT INTO deleted_uris SELECT uri FROM resolved`,
    `DELETE FROM toot_store WHERE ${timeWindow(stats, 'toot_store')} AND uri IN (SELECT uri FROM resolved)`,
  ];
}

export function mergeCleanup(stats: IncomingStats): string[] {
  return [stats.uris === stats.n ? 'DROP VIEW batch' : 'DROP TABLE batch', 'DROP TABLE IF EXISTS hits', 'DROP TABLE IF EXISTS resolved'];
}

/**
 * Statements that record deletes and collect the stored rows they name into the temp table
 * `doomed (rid, uri, seg)`: directly by (instance, id), and through `sightings` for another
 * instance's id of the same post (`doomedViaSightings`, only needed when `via` has rows).
 */
export function applyTombstones(deletes: ReadonlyArray<{ base_url: string; id: string }>): string[] {
  if (!deletes.length) return [];
  const values = deletes.map((d) => `(${quote(d.base_url)}, ${quote(d.id)})`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE new_tombstones AS SELECT * FROM (VALUES ${values}) v(base_url, id)`,
    `INSERT INTO tombstones SELECT * FROM new_tombstones`,
    `CREATE OR REPLACE TEMP TABLE doomed AS
       SELECT t.rowid AS rid, t.uri, t.seg FROM toot_store t JOIN new_tombstones d ON t.base_url = d.base_url AND ${tootValue('id', 't.')} = d.id`,
    `CREATE OR REPLACE TEMP TABLE via AS
       SELECT DISTINCT s.uri FROM sightings s JOIN new_tombstones d ON s.base_url = d.base_url AND s.id = d.id`,
    `DROP TABLE new_tombstones`,
  ];
}

export const DOOMED_VIA_SIGHTINGS = `INSERT INTO doomed SELECT t.rowid, t.uri, t.seg FROM toot_store t
  WHERE t.uri IN (SELECT uri FROM via) AND t.rowid NOT IN (SELECT rid FROM doomed)`;

/** The rows `DELETE_DOOMED` removes (alias `t`). */
export const DOOMED_ROWS = 't.rowid IN (SELECT rid FROM doomed)';

export const DELETE_DOOMED = [
  `INSERT INTO deleted_uris SELECT uri FROM doomed UNION SELECT uri FROM via`,
  'DELETE FROM toot_store WHERE rowid IN (SELECT rid FROM doomed)',
  'DROP TABLE doomed',
  'DROP TABLE via',
];
