/**
 * What the SQL console refuses to send to DuckDB, and what it asks about first.
 *
 * DuckDB-WASM here runs offline with extension autoloading off (DUCKDB-WASM.md). A statement that
 * makes DuckDB fetch an extension anyway (INSTALL/LOAD, time-zone arithmetic that pulls in ICU)
 * leaves the instance broken for the rest of the session, and the console shares its connection
 * with collection, so transactions, settings, ATTACH/USE and checkpoints would change or break
 * collection too. Those are refused with a message saying what to do instead. The app's own
 * tables are read-only here (write-targets.ts says why); changes to tables made in the console
 * need a confirmation, whose text says what really happens to them. The checks read tokens, not a
 * parse tree: they are deliberately strict where a miss would cost the session or the collection,
 * and say how to write the statement so it passes.
 */

import { tokenize, type Token } from './sql-tokens';
import { APP_OBJECTS, writesOf, type Write } from './write-targets';

export { APP_OBJECTS };

export interface SqlStatement {
  /** The statement as written, from its first token to its last (no `;`, no comments around it). */
  text: string;
  tokens: Token[];
  /** Its first keyword, lowercased (`''` when it opens with a parenthesis). */
  keyword: string;
  /** A query that can be wrapped as `SELECT * FROM (…)`: SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT, UNPIVOT. */
  selectLike: boolean;
  /** Reads only, so it can be run again (for a Parquet download). */
  readOnly: boolean;
}

const SELECT_LIKE = new Set(['select', 'with', 'from', 'values', 'table', 'describe', 'show', 'summarize', 'pivot', 'unpivot']);
const READ_ONLY = new Set(['explain', 'call']);
const DML = new Set(['insert', 'update', 'delete']);

function isOp(t: Token | undefined, v: string): boolean {
  return !!t && t.kind === 'op' && t.value === v;
}
function isWord(t: Token | undefined, ...v: string[]): boolean {
  return !!t && t.kind === 'word' && v.includes(t.value);
}

/** Statements in order, split at `;` outside strings, quoted names and comments. Empty ones are dropped. */
export function splitStatements(sql: string): SqlStatement[] {
  const tokens = tokenize(sql);
  const out: SqlStatement[] = [];
  let current: Token[] = [];
  const finish = () => {
    if (current.length) out.push(describe(sql, current));
    current = [];
  };
  for (const t of tokens) {
    if (isOp(t, ';')) finish();
    else current.push(t);
  }
  finish();
  return out;
}

function describe(sql: string, tokens: Token[]): SqlStatement {
  const first = tokens[0]!;
  const text = sql.slice(first.start, tokens[tokens.length - 1]!.end);
  const keyword = first.kind === 'word' ? first.value : '';
  let selectLike = isOp(first, '(') || SELECT_LIKE.has(keyword);
  if (keyword === 'with') {
    // `WITH … INSERT/UPDATE/DELETE` is not a query.
    let depth = 0;
    for (const t of tokens) {
      if (isOp(t, '(')) depth++;
      else if (isOp(t, ')')) depth--;
      else if (depth === 0 && t.kind === 'word' && DML.has(t.value)) selectLike = false;
    }
  }
  return { text, tokens, keyword, selectLike, readOnly: selectLike || READ_ONLY.has(keyword) };
}

/** The query to run again for a download: wrapped for SELECT-like statements, as written for the other read-only ones. */
export function exportSql(statement: SqlStatement): string | null {
  if (statement.selectLike) return wrapQuery(statement.text);
  return statement.readOnly ? statement.text : null;
}

/** `SELECT * FROM (<query>)`. The closing parenthesis goes on its own line: the query may end in a `--` comment. */
export function wrapQuery(text: string, limit?: number): string {
  // The query starts on the wrapper's first line, so DuckDB's "LINE n" matches the editor's lines;
  // it ends on its own line, so a trailing `--` comment cannot swallow the closing parenthesis.
  return `SELECT * FROM (${text}\n)${limit === undefined ? '' : ` LIMIT ${limit}`}`;
}

// ---------------------------------------------------------------------------------------------
// The guard

export interface GuardOptions {
  /** Names the console may read but never change; defaults to APP_OBJECTS. */
  protectedObjects?: readonly string[];
  /** Columns (any table) of type TIMESTAMP WITH TIME ZONE: date functions on them load ICU. */
  tzColumns?: readonly string[];
}

export type GuardVerdict =
  | { action: 'empty' }
  | { action: 'refuse'; message: string }
  | { action: 'confirm'; message: string; objects: string[]; statements: SqlStatement[] }
  | { action: 'run'; statements: SqlStatement[] };

export const MESSAGES = {
  extensions:
    'Extensions cannot be installed or loaded here. DuckDB runs offline in this page with extension autoloading turned off, ' +
    'and a failed extension download leaves DuckDB broken until you reload.',
  extensionSetting: (name: string) =>
    `SET ${name} is refused: it would let DuckDB try to download extensions, which fails offline and leaves DuckDB broken until you reload.`,
  parquetJson: (fn: string) =>
    `${fn} is not available: DuckDB's Parquet and JSON readers are extensions, and extensions are not available offline ` +
    '(autoloading is off). To load a Parquet file use the Import button; to save data use the Export Parquet button, ' +
    'or run a query and use Download CSV / Download Parquet.',
  network: (url: string) =>
    `The console does not read from the network (${url}): DuckDB runs offline in this page. ` +
    'Download the file and load it with the Import button instead.',
  files: (what: string) =>
    `${what} is refused: it reads or writes files inside DuckDB's own in-memory file system, which the page cannot show you. ` +
    'To save a result use Download CSV / Download Parquet (or Export Parquet for all toots); to load data use Import.',
  transaction: (what: string) =>
    `${what} is refused: the console shares DuckDB's connection with collection, which runs its own transactions, ` +
    'so a transaction opened or closed here would break the next batch of toots. Each statement you run is committed on its own.',
  schema: (what: string) =>
    `${what} is refused: it changes the default schema for the whole page, and collection and the panels expect toots in main. ` +
    'Qualify names instead (database.schema.table).',
  icu: (what: string) =>
    `${what} needs DuckDB's ICU (time zone) extension, which is not available offline: DuckDB would try to download it and ` +
    'stay broken until you reload. Timestamps here are UTC TIMESTAMPs (created_tz too): use them directly, e.g. ' +
    "date_part('hour', created_tz).",
  icuSource: (what: string) =>
    `${what} is TIMESTAMP WITH TIME ZONE, and date functions on it need DuckDB's ICU extension, which is not available ` +
    `offline (trying to load it leaves DuckDB broken until you reload). Cast it to UTC first: ${what}::TIMESTAMP.`,
  setting: (what: string) =>
    `${what} is refused: the console shares one DuckDB with collection and the panels, so a setting changed here changes ` +
    'the whole page, and some (memory_limit, threads, temp_directory…) can stall collection or crash DuckDB until you reload. ' +
    "Settings cannot be changed from the console; for a value of your own use SET VARIABLE name = … and getvariable('name').",
  databases: (what: string) =>
    `${what} is refused: the console works on this page's one database, which it shares with collection, and ` +
    `${what} would add or remove databases under it. For data of your own make a table: CREATE TEMP TABLE mine AS SELECT … ` +
    'FROM toots; to load a Parquet file use the Import button.',
  engine: (what: string) =>
    `${what} is refused: it changes how DuckDB itself runs or stores data, for the whole page; the console shares that ` +
    'DuckDB with collection, which it could stall or break until you reload. DuckDB here needs no maintenance from the ' +
    'console: the page checkpoints its file itself.',
  appWrite: (verbs: string, objects: string[]) =>
    `${verbs} on ${objects.join(', ')} is refused: the console can read the app's own tables and views but not change them. ` +
    'Collection writes into them, the panels read them, and compaction saves the toots into this browser\'s storage, so a ' +
    'change here could outlive a reload or stop collection. To work on a copy, make a table of your own first, e.g. ' +
    'CREATE TEMP TABLE mine AS SELECT * FROM toots; then change mine.',
  ownWrite: (verbs: string, objects: string[]) =>
    `${verbs} on ${objects.join(', ')}: tables you make in the console live only in this tab's DuckDB, not in the ` +
    'collection (the collected toots are not touched), and the change cannot be undone. A TEMP table is gone after a ' +
    "reload; in the tab that collects, any other table may be kept in DuckDB's database file until that file is " +
    'next rebuilt. Run it anyway?',
};

const EXTENSION_SETTINGS = new Set([
  'autoload_known_extensions', 'autoinstall_known_extensions', 'custom_extension_repository',
  'autoinstall_extension_repository', 'extension_directory', 'allow_unsigned_extensions',
  'allow_community_extensions', 'allow_extensions_metadata_mismatch',
]);
const SCHEMA_SETTINGS = new Set(['schema', 'search_path']);
/** Settings that exist only in the ICU extension. */
const ICU_SETTINGS = new Set(['timezone', 'calendar']);
/** PRAGMAs that only read (`PRAGMA name` or `PRAGMA name(…)`); any other PRAGMA changes a setting or the engine. */
const READ_PRAGMAS = new Set([
  'table_info', 'show', 'show_tables', 'show_tables_expanded', 'show_databases', 'database_list', 'database_size',
  'storage_info', 'metadata_info', 'functions', 'collations', 'version', 'platform', 'user_agent', 'extension_versions',
]);
/**
 * Table functions (callable as CALL f(), PRAGMA f or FROM f()) that change the engine rather than read
 * (listed from duckdb_functions() of the bundled DuckDB 1.4).
 */
const ENGINE_FN = /^(checkpoint|force_checkpoint|copy_database|import_database|truncate_duckdb_logs|(enable|disable)_\w+|verify_(external|fetch_row|parallelism|serializer))$/;
const TRANSACTION_KEYWORDS = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release']);
const PARQUET_JSON_FN = /^(read_parquet|parquet_\w+|read_json\w*|read_ndjson\w*|json_execute_serialized_sql)$/;
const PARQUET_JSON_FILE = /\.(parquet|json|jsonl|ndjson|geojson)(\.(gz|zst|zstd))?$/i;
const FILE_FN = /^(read_\w+|sniff_csv|glob|parquet_scan|iceberg_\w+|delta_scan)$/;
/** Functions that return TIMESTAMP WITH TIME ZONE (date functions on the result load ICU). */
const TZ_SOURCES = new Set(['now', 'get_current_timestamp', 'transaction_timestamp', 'to_timestamp', 'make_timestamptz', 'current_timestamp']);
/** Local schemes are fine; any other scheme is the network (or a cloud store) for DuckDB. */
const urlOf = (s: string): string | null => {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s.trim());
  if (!m || ['opfs', 'file'].includes(m[1]!.toLowerCase())) return null;
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** Index of the `)` closing the `(` at `open`, or the last index. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth++;
    else if (isOp(tokens[i], ')') && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** `x::TIMESTAMP` right after index `end`, or `CAST(<x> AS TIMESTAMP)` around `start..end`. */
function castToTimestamp(tokens: Token[], start: number, end: number): boolean {
  const plain = (i: number) => isWord(tokens[i], 'timestamp') && !isWord(tokens[i + 1], 'with');
  if (isOp(tokens[end + 1], '::') && plain(end + 2)) return true;
  return isOp(tokens[start - 1], '(') && isWord(tokens[start - 2], 'cast', 'try_cast') && isWord(tokens[end + 1], 'as') && plain(end + 2);
}

const skipWords = (tokens: Token[], i: number, ...words: string[]) => {
  while (isWord(tokens[i], ...words)) i++;
  return i;
};

/**
 * SET, RESET and PRAGMA. The connection, and so every setting, is shared with collection and the
 * panels: none may change from the console, not even a harmless-looking one (SET TimeZone needs
 * ICU here anyway; SET threads or memory_limit starve or crash collection). Only SET VARIABLE (the
 * person's own values) and the PRAGMAs that read pass.
 */
function settingRefusal(kw: string, h: Token[]): string | null {
  const at = skipWords(h, 1, 'global', 'session', 'local');
  const name = h[at]?.value.toLowerCase() ?? '';
  const named = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'ident';
  const upper = kw.toUpperCase();
  if (kw !== 'pragma' && name === 'variable' && named(h[at + 1])) return null;
  if (EXTENSION_SETTINGS.has(name)) return MESSAGES.extensionSetting(name);
  if (kw === 'reset' && name === 'all') return MESSAGES.extensionSetting('RESET ALL');
  if (kw === 'pragma') {
    if (ENGINE_FN.test(name)) return MESSAGES.engine(`PRAGMA ${name}`);
    return READ_PRAGMAS.has(name) && !isOp(h[at + 1], '=') ? null : MESSAGES.setting(`PRAGMA ${name}`.trim());
  }
  if (SCHEMA_SETTINGS.has(name)) return MESSAGES.schema(`${upper} ${name}`);
  if (ICU_SETTINGS.has(name)) return MESSAGES.icu(`${upper} ${h[at]!.kind === 'ident' ? h[at]!.value : name}`);
  return MESSAGES.setting(`${upper} ${name}`.trim());
}

/** Why this statement must not run, or null. */
function refusal(st: SqlStatement, tzColumns: ReadonlySet<string>): string | null {
  const t = st.tokens;
  // EXPLAIN ANALYZE and PREPARE … AS run (or keep) the statement behind them: judge that one.
  let from = isWord(t[0], 'explain') ? skipWords(t, 1, 'analyze', 'analyse') : 0;
  if (isWord(t[from], 'prepare')) {
    let j = from + 2;
    if (isOp(t[j], '(')) j = closing(t, j) + 1;
    if (isWord(t[j], 'as')) from = j + 1;
  }
  const h = t.slice(from);
  const kw = h[0]?.kind === 'word' ? h[0].value : '';
  const upper = (s: string) => s.toUpperCase();

  if (kw === 'install' || kw === 'load' || (kw === 'force' && isWord(h[1], 'install')) || (kw === 'update' && isWord(h[1], 'extensions'))) {
    return MESSAGES.extensions;
  }
  if (TRANSACTION_KEYWORDS.has(kw) && (kw !== 'start' || isWord(h[1], 'transaction'))) {
    return MESSAGES.transaction(upper(kw === 'start' ? 'start transaction' : kw));
  }
  if (kw === 'use') return MESSAGES.schema('USE');
  if (kw === 'set' || kw === 'reset' || kw === 'pragma') {
    const why = settingRefusal(kw, h);
    if (why) return why;
  }
  if (kw === 'copy') return MESSAGES.files('COPY');
  if ((kw === 'export' || kw === 'import') && isWord(h[1], 'database')) return MESSAGES.files(`${upper(kw)} DATABASE`);
  if (kw === 'checkpoint' || kw === 'vacuum' || (kw === 'force' && isWord(h[1], 'checkpoint'))) {
    return MESSAGES.engine(kw === 'force' ? 'FORCE CHECKPOINT' : upper(kw));
  }

  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    if (tok.kind === 'string') {
      const url = urlOf(tok.value);
      if (url && (kw === 'attach' || isWord(t[i - 1], 'from', 'join'))) return MESSAGES.network(url);
      if (isWord(t[i - 1], 'from', 'join') && PARQUET_JSON_FILE.test(tok.value.trim())) return MESSAGES.parquetJson(`Reading '${tok.value}'`);
      continue;
    }
    if (tok.kind !== 'word' && tok.kind !== 'ident') continue;
    const name = tok.value.toLowerCase();
    const call = tok.kind === 'word' && isOp(t[i + 1], '(') && !isOp(t[i - 1], '.');
    if (call && PARQUET_JSON_FN.test(name)) return MESSAGES.parquetJson(`${name}()`);
    if (call && ENGINE_FN.test(name)) return MESSAGES.engine(`${name}()`);
    if (call && FILE_FN.test(name)) {
      const end = closing(t, i + 1);
      for (let j = i + 2; j < end; j++) {
        const url = t[j]!.kind === 'string' ? urlOf(t[j]!.value) : null;
        if (url) return MESSAGES.network(url);
      }
    }
    if (tok.kind === 'word') {
      if (call && name === 'timezone') return MESSAGES.icu('timezone()');
      if (name === 'at' && isWord(t[i + 1], 'time') && isWord(t[i + 2], 'zone')) return MESSAGES.icu('AT TIME ZONE');
      if (name === 'timestamptz' || name === 'timetz') return MESSAGES.icu(upper(name));
      if ((name === 'timestamp' || name === 'time') && isWord(t[i + 1], 'with') && isWord(t[i + 2], 'time') && isWord(t[i + 3], 'zone')) {
        return MESSAGES.icu(`${upper(name)} WITH TIME ZONE`);
      }
      if (TZ_SOURCES.has(name) && !isOp(t[i - 1], '.') && (call || name === 'current_timestamp')) {
        const end = call ? closing(t, i + 1) : i;
        if (!castToTimestamp(t, i, end)) return MESSAGES.icuSource(call ? `${name}()` : name);
      }
    }
    if (tzColumns.has(name) && !call && !isOp(t[i + 1], '.')) {
      // `t.col` counts as a whole: CAST(t.col AS TIMESTAMP) starts at `t`.
      let start = i;
      while (isOp(t[start - 1], '.') && t[start - 2]) start -= 2;
      if (!castToTimestamp(t, start, i)) return MESSAGES.icuSource(tok.value);
    }
  }
  // After the loop, so ATTACH of a URL gets the network message.
  if (kw === 'attach' || kw === 'detach') return MESSAGES.databases(upper(kw));
  return null;
}

/**
 * The console's decision for a script: run it, refuse it (nothing runs), or ask first. A refusal
 * of any statement refuses the whole script, so it never stops half-way for a reason known up front.
 */
export function guardSql(sql: string, options: GuardOptions = {}): GuardVerdict {
  const statements = splitStatements(sql);
  if (!statements.length) return { action: 'empty' };
  const tz = new Set((options.tzColumns ?? []).map((c) => c.toLowerCase()));
  const app = new Set((options.protectedObjects ?? APP_OBJECTS).map((o) => o.toLowerCase()));
  const prefix = (i: number) => (statements.length > 1 ? `Statement ${i + 1}: ` : '');
  const own: Write[] = [];
  for (const [i, st] of statements.entries()) {
    const why = refusal(st, tz);
    if (why) return { action: 'refuse', message: prefix(i) + why };
    const writes = writesOf(st.tokens, app);
    const appWrites = writes.filter((w) => w.app);
    if (appWrites.length) return { action: 'refuse', message: prefix(i) + MESSAGES.appWrite(list(appWrites.map((w) => w.verb)).join(', '), list(appWrites.map((w) => w.object))) };
    // Making a new table loses nothing; changing or replacing one cannot be undone.
    own.push(...writes.filter((w) => w.verb !== 'CREATE' && w.verb !== 'INDEX'));
  }
  if (!own.length) return { action: 'run', statements };
  const objects = list(own.map((w) => w.object));
  return { action: 'confirm', message: MESSAGES.ownWrite(list(own.map((w) => w.verb)).join(', '), objects), objects, statements };
}

const list = (xs: string[]) => [...new Set(xs)];

/** DuckDB's error, once (duckdb-wasm repeats the `LINE 1: … ^` part), with what it means here when it names an extension. */
/**
 * Names a person who knows Mastodon's API (or the seed notebook) types first, and the column of
 * `toots` that holds it: the first natural query, `SELECT content …`, failed with no word on where
 * the text is (issue 18).
 */
const COLUMN_FOR: Record<string, string> = {
  content: 'mastodon_text (the post as plain text)',
  text: 'mastodon_text (the post as plain text)',
  spoiler_text: 'mastodon_text (the post as plain text; the content warning is not kept separately)',
  account: 'acct (user@instance) or username',
  user: 'acct (user@instance) or username',
  instance: 'from_instance (where the author is) or base_url (where it was collected)',
  domain: 'from_instance (where the author is) or base_url (where it was collected)',
  application: 'app',
  lang: 'language',
  favourites_count: 'favourites',
  reblogs_count: 'reblogs',
  replies_count: 'replies',
  created: 'created_ts (a TIMESTAMP) or created_at (epoch seconds)',
  timestamp: 'created_ts (a TIMESTAMP) or created_at (epoch seconds)',
  date: 'created_ts (a TIMESTAMP) or created_at (epoch seconds)',
};

export function explainDuckDbError(raw: string): string {
  const blocks = raw.trim().split(/\n\s*\n/);
  const message = blocks.filter((b, i) => i === 0 || b.trim() !== blocks[i - 1]!.trim()).join('\n\n');
  const col = /Referenced column "([^"]+)" not found/.exec(message);
  const known = col ? COLUMN_FOR[col[1]!.toLowerCase()] : undefined;
  if (known) return `${message}\nIn toots, "${col![1]}" is the column ${known}. The schema panel lists every column.`;
  const m = /exists in the (\w+) extension/.exec(message);
  if (!m) return message;
  const ext = m[1]!;
  // DuckDB's advice (INSTALL …, SET autoinstall…) cannot work offline: drop it.
  const head = message.split(/\n\s*Please try installing/)[0]!.trimEnd();
  const hint =
    ext === 'parquet' || ext === 'json'
      ? `The ${ext} extension is not available offline. Use the Import button to load Parquet, and Export Parquet or the Download buttons to save data.`
      : ext === 'icu'
        ? 'Time zones need the ICU extension, which is not available offline. Timestamps here are UTC TIMESTAMPs.'
        : `The ${ext} extension is not available offline.`;
  return `${head}\n${hint}`;
}
