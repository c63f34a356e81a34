/**
 * What the SQL console refuses to send to DuckDB, and what it asks about first.
 *
 * DuckDB-WASM here runs offline with extension autoloading off (DUCKDB-WASM.md). A statement that
 * makes DuckDB fetch an extension anyway (INSTALL/LOAD, time-zone arithmetic that pulls in ICU)
 * leaves the instance broken for the rest of the session, and the console shares its connection
 * with collection, so transactions and `USE` would break collection too. Those are refused with
 * a message saying what to do instead. Statements that change the app's own tables (`toots`…)
 * need a confirmation. The checks read tokens, not a parse tree: they are deliberately strict
 * where a miss would cost the session, and say how to write the statement so it passes.
 */

import { tokenize, type Token } from './sql-tokens';

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
  return `SELECT * FROM (\n${text}\n)${limit === undefined ? '' : ` LIMIT ${limit}`}`;
}

// ---------------------------------------------------------------------------------------------
// The guard

/** The tables and views the app itself creates and uses (schema.ts). */
export const APP_OBJECTS = ['toots', 'toot_store', 'rollup_authors', 'rollup_instances', 'rollup_languages', 'rollup_lengths', 'rollup_summary', 'sightings', 'tombstones', 'deleted_uris', 'language', 'mastodon_toot_raw', 'mastodon_toot'] as const;
/** Collection writes into these: dropping or redefining one stops new toots from reaching DuckDB. */
const COLLECTION_TABLES = new Set(['toots', 'toot_store', 'rollup_authors', 'rollup_instances', 'rollup_languages', 'rollup_lengths', 'rollup_summary', 'sightings', 'tombstones', 'deleted_uris']);

export interface GuardOptions {
  /** Names whose changes need a confirmation; defaults to APP_OBJECTS. */
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
};

const EXTENSION_SETTINGS = new Set([
  'autoload_known_extensions', 'autoinstall_known_extensions', 'custom_extension_repository',
  'autoinstall_extension_repository', 'extension_directory', 'allow_unsigned_extensions',
  'allow_community_extensions', 'allow_extensions_metadata_mismatch',
]);
const SCHEMA_SETTINGS = new Set(['schema', 'search_path']);
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

/** A possibly qualified name starting at `i`: its last part (lowercased) and the index after it. */
function readName(tokens: Token[], i: number): { name: string; next: number } | null {
  let name: string | null = null;
  while (tokens[i] && (tokens[i]!.kind === 'word' || tokens[i]!.kind === 'ident')) {
    name = tokens[i]!.value.toLowerCase();
    i++;
    if (!isOp(tokens[i], '.')) break;
    i++;
  }
  return name === null ? null : { name, next: i };
}

const skipWords = (tokens: Token[], i: number, ...words: string[]) => {
  while (isWord(tokens[i], ...words)) i++;
  return i;
};

/** Why this statement must not run, or null. */
function refusal(st: SqlStatement, tzColumns: ReadonlySet<string>): string | null {
  const t = st.tokens;
  const kw = st.keyword;
  const upper = (s: string) => s.toUpperCase();

  if (kw === 'install' || kw === 'load' || (kw === 'force' && isWord(t[1], 'install')) || (kw === 'update' && isWord(t[1], 'extensions'))) {
    return MESSAGES.extensions;
  }
  if (TRANSACTION_KEYWORDS.has(kw) && (kw !== 'start' || isWord(t[1], 'transaction'))) {
    return MESSAGES.transaction(upper(kw === 'start' ? 'start transaction' : kw));
  }
  if (kw === 'use') return MESSAGES.schema('USE');
  if (kw === 'set' || kw === 'reset' || kw === 'pragma') {
    const at = skipWords(t, 1, 'global', 'session', 'local');
    const name = t[at]?.value.toLowerCase() ?? '';
    if (EXTENSION_SETTINGS.has(name)) return MESSAGES.extensionSetting(name);
    if (SCHEMA_SETTINGS.has(name) && kw !== 'pragma') return MESSAGES.schema(`${upper(kw)} ${name}`);
    if (kw === 'reset' && name === 'all') return MESSAGES.extensionSetting('RESET ALL');
  }
  if (kw === 'copy') return MESSAGES.files('COPY');
  if ((kw === 'export' || kw === 'import') && isWord(t[1], 'database')) return MESSAGES.files(`${upper(kw)} DATABASE`);

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
  return null;
}

type Change = { verb: string; object: string };

/** The app objects this statement changes (DROP, DELETE, TRUNCATE, UPDATE, INSERT, ALTER, CREATE). */
function changes(st: SqlStatement, protect: ReadonlySet<string>): Change[] {
  const t = st.tokens;
  const out: Change[] = [];
  const add = (verb: string, name: string | undefined) => {
    if (name !== undefined && protect.has(name)) out.push({ verb, object: name });
  };
  for (let i = 0; i < t.length; i++) {
    if (t[i]!.kind !== 'word') continue;
    const w = t[i]!.value;
    if (w === 'delete' && isWord(t[i + 1], 'from')) add('DELETE', readName(t, i + 2)?.name);
    else if (w === 'truncate') add('TRUNCATE', readName(t, skipWords(t, i + 1, 'table'))?.name);
    else if (w === 'update' && !isWord(t[i + 1], 'set')) add('UPDATE', readName(t, i + 1)?.name);
    else if (w === 'insert') {
      const at = skipWords(t, i + 1, 'or', 'replace', 'ignore', 'into');
      add('INSERT', readName(t, at)?.name);
    } else if (w === 'drop') {
      const kind = t[i + 1]?.value ?? '';
      if (kind === 'schema' || kind === 'database') {
        const n = readName(t, skipWords(t, i + 2, 'if', 'exists'));
        if (n && (n.name === 'main' || n.name === 'memory')) out.push({ verb: 'DROP', object: `${kind} ${n.name}` });
        continue;
      }
      let at = skipWords(t, skipWords(t, i + 1, 'table', 'view', 'materialized', 'temporary', 'temp'), 'if', 'exists');
      for (;;) {
        const n = readName(t, at);
        if (!n) break;
        add('DROP', n.name);
        if (!isOp(t[n.next], ',')) break;
        at = n.next + 1;
      }
    } else if (w === 'alter' && isWord(t[i + 1], 'table', 'view')) {
      add('ALTER', readName(t, skipWords(t, i + 2, 'if', 'exists'))?.name);
    } else if (w === 'create') {
      const at = skipWords(t, i + 1, 'or', 'replace', 'temp', 'temporary', 'persistent', 'materialized');
      if (isWord(t[at], 'table', 'view')) add('CREATE', readName(t, skipWords(t, at + 1, 'if', 'not', 'exists'))?.name);
    }
  }
  return out;
}

/**
 * The console's decision for a script: run it, refuse it (nothing runs), or ask first. A refusal
 * of any statement refuses the whole script, so it never stops half-way for a reason known up front.
 */
export function guardSql(sql: string, options: GuardOptions = {}): GuardVerdict {
  const statements = splitStatements(sql);
  if (!statements.length) return { action: 'empty' };
  const tz = new Set((options.tzColumns ?? []).map((c) => c.toLowerCase()));
  const protect = new Set((options.protectedObjects ?? APP_OBJECTS).map((o) => o.toLowerCase()));
  const found: Change[] = [];
  for (const [i, st] of statements.entries()) {
    const why = refusal(st, tz);
    if (why) return { action: 'refuse', message: statements.length > 1 ? `Statement ${i + 1}: ${why}` : why };
    found.push(...changes(st, protect));
  }
  if (!found.length) return { action: 'run', statements };
  const objects = [...new Set(found.map((c) => c.object))];
  const verbs = [...new Set(found.map((c) => c.verb))];
  const stopsCollection = found.some((c) => ['DROP', 'ALTER', 'CREATE'].includes(c.verb) && (COLLECTION_TABLES.has(c.object) || c.object.includes(' ')));
  const message =
    `${verbs.join(', ')} on ${objects.join(', ')}: ${objects.length > 1 ? 'these are' : 'this is'} used by the app itself ` +
    '(collection writes into toots; the summary and the examples read them). The change lasts for this session only: ' +
    'a reload rebuilds everything from the toots stored in this browser.' +
    (stopsCollection ? ' Until you reload, new toots will not reach DuckDB.' : '') +
    ' Run it anyway?';
  return { action: 'confirm', message, objects, statements };
}

/** DuckDB's error, once (duckdb-wasm repeats the `LINE 1: … ^` part), with what it means here when it names an extension. */
export function explainDuckDbError(raw: string): string {
  const blocks = raw.trim().split(/\n\s*\n/);
  const message = blocks.filter((b, i) => i === 0 || b.trim() !== blocks[i - 1]!.trim()).join('\n\n');
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
