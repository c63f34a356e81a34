/**
 * One row of the `toots` table (../shared/docs/SCHEMA.md). Timestamps are epoch milliseconds
 * here and plain UTC `TIMESTAMP` inside DuckDB-WASM (TIMESTAMPTZ would pull in ICU, which cannot
 * load offline); the Parquet export marks them UTC-adjusted, which readers see as TIMESTAMPTZ.
 */
/** `import`: read from a Parquet file (src/store/import/parquet-import.ts) that had no source of its own. */
export type TootSource = 'stream' | 'poll' | 'backfill' | 'demo' | 'import';

export interface TootRow {
  /** The id as a number where it is decimal (Mastodon), null for a ULID or Misskey id: `id` is exact. */
  m_id: bigint | null;
  created_at: number;
  created_at_str: string;
  app: string;
  url: string;
  base_url: string;
  language: string;
  favourites: number;
  username: string;
  bot: boolean;
  tags: number;
  characters: number;
  words: number;
  mastodon_text: string;
  id: string;
  uri: string;
  created_ts: number;
  received_at: number;
  edited_at: number | null;
  from_instance: string;
  acct: string;
  display_name: string;
  account_created_at: number | null;
  followers: number;
  hashtags: string[];
  mentions: number;
  media: number;
  has_poll: boolean;
  reblogs: number;
  replies: number;
  sensitive: boolean;
  spoiler_text: string;
  visibility: string;
  is_reply: boolean;
  seen_on: string[];
  source: TootSource;
}

/** `seconds` is a BIGINT held as a JS number (epoch seconds fit exactly). */
export type ColumnKind = 'bigint' | 'seconds' | 'int' | 'bool' | 'text' | 'ts' | 'text[]';

/** Column order of the table, the Arrow batches and the export. */
export const TOOT_COLUMNS: ReadonlyArray<readonly [keyof TootRow, ColumnKind]> = [
  ['m_id', 'bigint'],
  ['created_at', 'seconds'],
  ['created_at_str', 'text'],
  ['app', 'text'],
  ['url', 'text'],
  ['base_url', 'text'],
  ['language', 'text'],
  ['favourites', 'int'],
  ['username', 'text'],
  ['bot', 'bool'],
  ['tags', 'int'],
  ['characters', 'int'],
  ['words', 'int'],
  ['mastodon_text', 'text'],
  ['id', 'text'],
  ['uri', 'text'],
  ['created_ts', 'ts'],
  ['received_at', 'ts'],
  ['edited_at', 'ts'],
  ['from_instance', 'text'],
  ['acct', 'text'],
  ['display_name', 'text'],
  ['account_created_at', 'ts'],
  ['followers', 'int'],
  ['hashtags', 'text[]'],
  ['mentions', 'int'],
  ['media', 'int'],
  ['has_poll', 'bool'],
  ['reblogs', 'int'],
  ['replies', 'int'],
  ['sensitive', 'bool'],
  ['spoiler_text', 'text'],
  ['visibility', 'text'],
  ['is_reply', 'bool'],
  ['seen_on', 'text[]'],
  ['source', 'text'],
];

export const SQL_TYPE: Record<ColumnKind, string> = {
  bigint: 'BIGINT',
  seconds: 'BIGINT',
  int: 'INTEGER',
  bool: 'BOOLEAN',
  text: 'VARCHAR',
  ts: 'TIMESTAMP',
  'text[]': 'VARCHAR[]',
};

/** A delete seen on an instance: the bare status id local to that instance. */
export interface Tombstone {
  base_url: string;
  id: string;
}
