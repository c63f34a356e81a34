/**
 * Which tables and views a console statement writes to, read from its tokens (statement-guard.ts
 * decides what to do about them).
 *
 * The app's own objects are read-only for the console: `toot_store` is the collection itself and
 * compaction copies it into the stored Parquet segments, so a console UPDATE or DELETE there
 * would outlive a reload; the rollups, `language` and the views feed the panels; the working
 * tables are created and dropped by every merge, so a table of the same name would break the next
 * batch. Everything else was made in the console and lives only in this tab's DuckDB.
 */

import type { Token } from './sql-tokens';
import { CUBE_TABLES } from './cube/cubes';

/** The collection's tables and views (schema.ts, rollups.ts, cube/cubes.ts). */
export const COLLECTION_OBJECTS = [
  'toot_store', 'table_meta', 'toots', 'sightings', 'tombstones', 'deleted_uris', 'uri_keys', 'language', 'mastodon_toot_raw', 'mastodon_toot',
  'rollup_authors', 'rollup_instances', 'rollup_languages', 'rollup_lengths', 'rollup_summary',
  // The cubes and the figures kept from them: a console DELETE there would outlive a reload.
  ...CUBE_TABLES,
  'zone_offsets', 'toots_local', 'local_time',
];
/**
 * Temporary tables each merge or reload creates and drops (store/duckdb/toot-table.ts, schema.ts,
 * rollups.ts, store/archive/snapshot.ts).
 */
export const WORKING_TABLES = [
  'incoming', 'incoming_rest', 'batch', 'hits', 'resolved', 'new_tombstones', 'doomed', 'via', 'rollup_delta', 'snapshot_in',
] as const;
export const APP_OBJECTS: readonly string[] = [...COLLECTION_OBJECTS, ...WORKING_TABLES];

export interface Write {
  /** DELETE, UPDATE, INSERT, MERGE, TRUNCATE, DROP, ALTER, CREATE, CREATE OR REPLACE, RENAME, INDEX, COMMENT. */
  verb: string;
  /** Its name, lowercased: the app object's when a part of `db.schema.name` is one, else the last part. */
  object: string;
  /** Some part of its (possibly qualified) name is an app object, or it is a whole schema the app lives in. */
  app: boolean;
}

const isOp = (t: Token | undefined, v: string) => !!t && t.kind === 'op' && t.value === v;
const isWord = (t: Token | undefined, ...v: string[]) => !!t && t.kind === 'word' && v.includes(t.value);
const skipWords = (t: Token[], i: number, ...words: string[]) => {
  while (isWord(t[i], ...words)) i++;
  return i;
};

/**
 * A possibly qualified name at `i` (`a`, `main.a`, `"Main"."A"`): its parts lowercased (DuckDB
 * matches names without regard to case, quoted or not) and the index after it.
 */
export function readName(t: Token[], i: number): { parts: string[]; next: number } | null {
  const parts: string[] = [];
  while (t[i] && (t[i]!.kind === 'word' || t[i]!.kind === 'ident')) {
    parts.push(t[i]!.value.toLowerCase());
    i++;
    if (!isOp(t[i], '.')) break;
    i++;
  }
  return parts.length ? { parts, next: i } : null;
}

/**
 * Every write in a statement. The whole token list is scanned, not just the first keyword, so a
 * write behind a CTE (`WITH d AS (…) DELETE …`), EXPLAIN ANALYZE or PREPARE … AS is found too.
 * `ON CONFLICT DO UPDATE SET` is part of an INSERT and is not a write of its own.
 */
export function writesOf(t: Token[], appObjects: ReadonlySet<string>): Write[] {
  const out: Write[] = [];
  const add = (verb: string, at: number) => {
    const n = readName(t, at);
    if (!n) return null;
    const app = n.parts.find((p) => appObjects.has(p));
    out.push({ verb, object: app ?? n.parts[n.parts.length - 1]!, app: app !== undefined });
    return n;
  };
  for (let i = 0; i < t.length; i++) {
    if (t[i]!.kind !== 'word') continue;
    const w = t[i]!.value;
    if (w === 'delete' && isWord(t[i + 1], 'from')) add('DELETE', i + 2);
    else if (w === 'truncate') add('TRUNCATE', skipWords(t, i + 1, 'table'));
    else if (w === 'update' && !isWord(t[i + 1], 'set') && !isWord(t[i + 1], 'extensions')) add('UPDATE', i + 1);
    else if (w === 'insert') add('INSERT', skipWords(t, i + 1, 'or', 'replace', 'ignore', 'into'));
    else if (w === 'merge' && isWord(t[i + 1], 'into')) add('MERGE', i + 2);
    else if (w === 'drop') {
      const kind = t[i + 1]?.value ?? '';
      if (kind === 'schema' || kind === 'database') {
        const n = readName(t, skipWords(t, i + 2, 'if', 'exists'));
        const name = n?.parts[n.parts.length - 1];
        if (name) out.push({ verb: 'DROP', object: `${kind} ${name}`, app: ['main', 'memory', 'temp'].includes(name) });
        continue;
      }
      let at = skipWords(t, skipWords(t, i + 1, 'table', 'view', 'materialized', 'temporary', 'temp'), 'if', 'exists');
      for (;;) {
        const n = add('DROP', at);
        if (!n || !isOp(t[n.next], ',')) break;
        at = n.next + 1;
      }
    } else if (w === 'alter' && isWord(t[i + 1], 'table', 'view')) {
      const n = add('ALTER', skipWords(t, i + 2, 'if', 'exists'));
      // ALTER TABLE mine RENAME TO toots: a temp table of that name would hide the app's own.
      for (let j = n?.next ?? t.length; j < t.length; j++) {
        if (isWord(t[j], 'rename') && isWord(t[j + 1], 'to')) add('RENAME', j + 2);
      }
    } else if (w === 'create') {
      let at = skipWords(t, i + 1, 'temp', 'temporary', 'persistent', 'materialized', 'unique');
      const replace = isWord(t[i + 1], 'or') && isWord(t[i + 2], 'replace');
      if (replace) at = skipWords(t, i + 3, 'temp', 'temporary', 'persistent', 'materialized');
      if (isWord(t[at], 'table', 'view')) add(replace ? 'CREATE OR REPLACE' : 'CREATE', skipWords(t, at + 1, 'if', 'not', 'exists'));
      else if (isWord(t[at], 'index')) {
        // CREATE INDEX [name] ON table: an index on toot_store would slow every merge.
        for (let j = at + 1; j < t.length; j++) {
          if (isWord(t[j], 'on')) {
            add('INDEX', j + 1);
            break;
          }
        }
      }
    } else if (w === 'comment' && isWord(t[i + 1], 'on')) {
      add('COMMENT', skipWords(t, i + 2, 'table', 'view', 'column'));
    }
  }
  return out;
}
