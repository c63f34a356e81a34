import type { Table } from 'apache-arrow';
import { QueryCancelledError, type AnalyticsDb } from '../../db/analytics-db';
import { explainDuckDbError, exportSql, wrapQuery, type SqlStatement } from '../../core/sql/statement-guard';
import { resultColumns, resultCsv, type ResultColumn } from './result-format';
import type { SchemaColumn } from './codemirror-editor';

/**
 * Running the console's statements on the app's DuckDB, without Svelte, so unit tests drive the
 * same path the page does. Results stay Arrow tables; cells become text only when shown or
 * downloaded (result-format.ts).
 */

/** Rows kept for the table. A query returning more shows this many; the downloads run it again in full. */
export const MAX_ROWS = 200_000;

export interface RunResult {
  columns: ResultColumn[];
  rowCount: number;
  /** The query returned more than `rowCount` rows. */
  truncated: boolean;
  ms: number;
  /** The statement whose result this is (the last one run). */
  last: SqlStatement;
  /** How many statements ran. */
  statements: number;
  /** Some statement could have changed data (it was not a query). */
  changed: boolean;
  table: Table;
}

export class ConsoleRunError extends Error {
  constructor(
    message: string,
    /** Statements that completed (and stay committed) before the failure. */
    readonly completed: number,
    readonly changed: boolean,
  ) {
    super(message);
  }
}

/**
 * Runs the statements in order; the last one's rows are the result. A SELECT-like last statement
 * is wrapped as `SELECT * FROM (…) LIMIT MAX_ROWS+1`, so a huge result never crosses from the
 * worker whole.
 */
export async function runStatements(db: AnalyticsDb, statements: readonly SqlStatement[], maxRows = MAX_ROWS): Promise<RunResult> {
  if (!statements.length) throw new ConsoleRunError('Nothing to run', 0, false);
  const t0 = performance.now();
  let changed = false;
  let table: Table | null = null;
  for (const [i, st] of statements.entries()) {
    const isLast = i === statements.length - 1;
    try {
      if (!isLast) await db.exec(st.text);
      else {
        const sql = st.selectLike ? wrapQuery(st.text, maxRows + 1) : st.text;
        table = await (db.queryCancellable ? db.queryCancellable(sql) : db.queryArrow(sql));
      }
    } catch (err) {
      if (err instanceof QueryCancelledError) throw new ConsoleRunError(`Cancelled${statements.length > 1 ? ` at statement ${i + 1} of ${statements.length}` : ''}: the query was stopped, nothing else ran.`, i, changed);
      const text = explainDuckDbError(err instanceof Error ? err.message : String(err));
      const where = statements.length > 1 ? `Statement ${i + 1} of ${statements.length} failed${i ? ` (statements 1–${i} ran)` : ''}: ` : '';
      throw new ConsoleRunError(where + text, i, changed);
    }
    if (!st.readOnly) changed = true;
  }
  const ms = performance.now() - t0;
  const last = statements[statements.length - 1]!;
  let result = table!;
  const truncated = result.numRows > maxRows;
  if (truncated) result = result.slice(0, maxRows);
  return { columns: resultColumns(result), rowCount: result.numRows, truncated, ms, last, statements: statements.length, changed, table: result };
}

/** CSV of a result: from the rows at hand, or by running the query again when they were cut. */
export async function resultToCsv(db: AnalyticsDb, result: RunResult): Promise<string> {
  if (!result.truncated) return resultCsv(result.columns, result.rowCount);
  const sql = exportSql(result.last);
  if (!sql) return resultCsv(result.columns, result.rowCount);
  const full = await db.queryArrow(sql);
  return resultCsv(resultColumns(full), full.numRows);
}

export interface SchemaInfo {
  /** Table or view name → its columns, for completion. */
  tables: Record<string, SchemaColumn[]>;
  /** Columns of type TIMESTAMP WITH TIME ZONE (the guard keeps date functions off them). */
  tzColumns: string[];
}

export async function loadSchema(db: AnalyticsDb): Promise<SchemaInfo> {
  const rows = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal
     ORDER BY database_name = 'temp', schema_name, table_name, column_index`,
  );
  const tables: Record<string, SchemaColumn[]> = {};
  const tz = new Set<string>();
  for (const r of rows) {
    (tables[r.table_name] ??= []).push({ name: r.column_name, type: r.data_type });
    if (/WITH TIME ZONE|^TIMESTAMPTZ$|^TIMETZ$/i.test(r.data_type)) tz.add(r.column_name);
  }
  return { tables, tzColumns: [...tz] };
}

/** Function and macro names for completion (DuckDB's built-ins are marked internal, so no filter on that). */
export async function loadFunctionNames(db: AnalyticsDb): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT DISTINCT function_name AS name FROM duckdb_functions()
     WHERE function_type IN ('scalar', 'aggregate', 'table', 'macro', 'table_macro')
       AND regexp_matches(function_name, '^[a-z][a-z0-9_]*$')
     ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}
