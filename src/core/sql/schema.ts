import { SQL_TYPE, TOOT_COLUMNS, type TootRow } from '../toot';

/**
 * The DuckDB schema and the merge that turns appended batches into one row per post.
 * Collected rows are never deduplicated in JavaScript: a batch lands in `incoming` and these
 * statements fold it into `toots`, so a reload that replays the stored batches in order rebuilds
 * exactly the same table.
 */
const cols = TOOT_COLUMNS.map(([name]) => name);
const list = (names: readonly string[], prefix = '') => names.map((n) => prefix + n).join(', ');

/** Set by the first sighting of a post; never changed by later versions. */
const IDENTITY = new Set<keyof TootRow>(['m_id', 'id', 'base_url', 'received_at', 'source', 'seen_on']);
/**
 * Everything else comes from the latest version seen ("counts when last seen"), except `app`:
 * only the origin instance's copy carries `application`, so an empty app never overwrites one.
 */
const CONTENT = cols.filter((c) => !IDENTITY.has(c));

export const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS toots (${TOOT_COLUMNS.map(([n, k]) => `${n} ${SQL_TYPE[k]}`).join(', ')})`,
  // Where a post was seen besides its first sighting, so a delete naming another instance's id finds it.
  `CREATE TABLE IF NOT EXISTS sightings (uri VARCHAR, base_url VARCHAR, id VARCHAR)`,
  // Deletes can arrive before the post: keep them, and the uris they resolved to.
  `CREATE TABLE IF NOT EXISTS tombstones (base_url VARCHAR, id VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS deleted_uris (uri VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS language (lang_iso VARCHAR, language_name VARCHAR)`,
];

/** The seed notebook's views (SCHEMA.md § Views). `created_tz` is UTC; see DUCKDB-WASM.md on ICU. */
export function notebookViews(source = 'toots'): string[] {
  return [
    `CREATE OR REPLACE VIEW mastodon_toot_raw AS SELECT m_id, created_at, created_at_str, app, url, base_url,
       language, favourites, username, bot, tags, characters, words, mastodon_text,
       created_ts AS created_tz, from_instance FROM ${source}`,
    `CREATE OR REPLACE VIEW mastodon_toot AS SELECT r.*, l.language_name
       FROM mastodon_toot_raw r LEFT JOIN language l ON r.language = l.lang_iso`,
  ];
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Statements that fold the table `incoming` (same columns as `toots`) into `toots`. */
export function mergeIncoming(): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE batch AS
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
     WHERE f.first_rank = 1`,
    `UPDATE toots SET
       seen_on = list_sort(list_distinct(list_concat(toots.seen_on, b.seen_on))),
       ${CONTENT.map((c) => `${c} = CASE WHEN ${c === 'app' ? "b.app <> '' AND " : ''}coalesce(b.edited_at, TIMESTAMP '1970-01-01') >= coalesce(toots.edited_at, TIMESTAMP '1970-01-01') THEN b.${c} ELSE toots.${c} END`).join(',\n       ')}
     FROM batch b WHERE toots.uri = b.uri`,
    `INSERT INTO toots SELECT ${list(cols, 'b.')} FROM batch b
       WHERE NOT EXISTS (SELECT 1 FROM toots t WHERE t.uri = b.uri)
         AND NOT EXISTS (SELECT 1 FROM deleted_uris d WHERE d.uri = b.uri)`,
    // After the insert, so a second copy that arrived in the same batch as the first is recorded.
    `INSERT INTO sightings SELECT DISTINCT i.uri, i.base_url, i.id FROM incoming i JOIN toots t ON t.uri = i.uri
       WHERE i.base_url <> t.base_url
         AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.base_url = i.base_url AND s.id = i.id)`,
    // A post whose delete came first: its tombstone now resolves to a uri.
    `INSERT INTO deleted_uris SELECT DISTINCT i.uri FROM incoming i JOIN tombstones d ON d.base_url = i.base_url AND d.id = i.id`,
    `DELETE FROM toots WHERE uri IN (SELECT i.uri FROM incoming i JOIN tombstones d ON d.base_url = i.base_url AND d.id = i.id)`,
    `DROP TABLE batch`,
  ];
}

/** Statements that record deletes and remove the posts they name (also via other instances' ids). */
export function applyTombstones(deletes: ReadonlyArray<{ base_url: string; id: string }>): string[] {
  if (!deletes.length) return [];
  const values = deletes.map((d) => `(${quote(d.base_url)}, ${quote(d.id)})`).join(', ');
  return [
    `CREATE OR REPLACE TEMP TABLE new_tombstones AS SELECT * FROM (VALUES ${values}) v(base_url, id)`,
    `INSERT INTO tombstones SELECT * FROM new_tombstones`,
    `INSERT INTO deleted_uris
       SELECT t.uri FROM toots t JOIN new_tombstones d ON t.base_url = d.base_url AND t.id = d.id
       UNION SELECT s.uri FROM sightings s JOIN new_tombstones d ON s.base_url = d.base_url AND s.id = d.id`,
    `DELETE FROM toots WHERE uri IN (SELECT uri FROM deleted_uris)`,
    `DROP TABLE new_tombstones`,
  ];
}
