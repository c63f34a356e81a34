import type { AppState } from '../app-state.svelte';
import { guardSql, exportSql, type SqlStatement } from '../../core/sql/statement-guard';
import { queryToParquet } from '../../store/parquet/parquet-wasm';
import { loadParquet } from '../../store/parquet/parquet-wasm-browser';
import { downloadBytes } from '../download';
import {
  ConsoleRunError, loadFunctionNames, loadSchema, resultToCsv, runStatements, type RunResult, type SchemaInfo,
} from './console-runner';
import { HistoryCursor, addToHistory, browserHistoryBackend, type HistoryBackend } from './history';

export interface PendingConfirm {
  message: string;
  statements: SqlStatement[];
  sql: string;
}

/**
 * The SQL console's state: the run in progress, its result or error, a pending confirmation,
 * the history and the schema for completion. The editor (CodeMirror) holds the text.
 */
export class SqlConsoleState {
  running = $state(false);
  result = $state.raw<RunResult | null>(null);
  error = $state('');
  confirm = $state.raw<PendingConfirm | null>(null);
  history = $state.raw<string[]>([]);
  schema = $state.raw<SchemaInfo | null>(null);
  functions = $state.raw<string[]>([]);
  downloading = $state<'' | 'csv' | 'parquet'>('');
  downloadError = $state('');

  readonly cursor = new HistoryCursor();
  private opened = false;

  constructor(
    private readonly app: AppState,
    private readonly backend: HistoryBackend = browserHistoryBackend(),
  ) {}

  /**
   * The console shares DuckDB's connection with collection, whose merge runs in a transaction over
   * several round trips; a console statement failing inside it would abort that transaction.
   */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.app.exclusive(fn);
  }

  get ready(): boolean {
    return this.app.db.state === 'ready' && this.app.database !== null;
  }

  /** When the console first shows with DuckDB ready: history, schema and function names. */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    this.history = await this.backend.load().catch(() => []);
    await this.refreshSchema();
    const db = this.app.database;
    if (db) this.functions = await loadFunctionNames(db).catch(() => []);
  }

  async refreshSchema(): Promise<void> {
    const db = this.app.database;
    if (!db) return;
    try {
      this.schema = await loadSchema(db);
    } catch {
      // Completion is a convenience: keep the last schema.
    }
  }

  /** Runs, refuses with a message, or asks first (then `confirmRun`/`cancelConfirm`). */
  async run(sql: string): Promise<void> {
    if (this.running) return;
    this.confirm = null;
    this.error = '';
    const verdict = guardSql(sql, { tzColumns: this.schema?.tzColumns ?? [] });
    if (verdict.action === 'empty') {
      this.error = 'Type a query first.';
      return;
    }
    await this.remember(sql);
    if (verdict.action === 'refuse') {
      // The old result would read as this query's.
      this.result = null;
      this.error = verdict.message;
      return;
    }
    if (verdict.action === 'confirm') {
      this.confirm = { message: verdict.message, statements: verdict.statements, sql };
      return;
    }
    await this.execute(verdict.statements);
  }

  async confirmRun(): Promise<void> {
    const pending = this.confirm;
    this.confirm = null;
    if (pending) await this.execute(pending.statements);
  }

  cancelConfirm(): void {
    this.confirm = null;
  }

  /** Stops the running query (its statement fails with "Cancelled"); DuckDB stays as it was. */
  async cancelRun(): Promise<void> {
    if (!this.running) return;
    await this.app.database?.cancel?.().catch(() => undefined);
  }

  /** True when a running query can be stopped (the browser's DuckDB can; the Node one cannot). */
  get cancellable(): boolean {
    return !!this.app.database?.cancel;
  }

  private async remember(sql: string): Promise<void> {
    this.cursor.reset();
    const next = addToHistory(this.history, sql);
    if (next.length === this.history.length && next.every((e, i) => e === this.history[i])) return;
    this.history = next;
    await this.backend.save(next).catch(() => undefined);
  }

  private async execute(statements: SqlStatement[]): Promise<void> {
    const db = this.app.database;
    if (!db) {
      this.error = 'DuckDB is not ready yet.';
      return;
    }
    this.running = true;
    this.error = '';
    this.downloadError = '';
    let changed = false;
    try {
      // Let a batch that is being merged finish first: the console shares DuckDB's connection.
      await this.app.flush().catch(() => undefined);
      const result = await this.locked(() => runStatements(db, statements));
      changed = result.changed;
      this.result = result;
    } catch (err) {
      if (err instanceof ConsoleRunError) changed = err.changed;
      this.result = null;
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.running = false;
    }
    if (changed) {
      // Panels re-query on dataVersion; the summary has its own refresh.
      this.app.dataVersion++;
      void this.app.figures.refresh();
    }
    await this.refreshSchema();
  }

  /** The history entry older (-1) or newer (+1) than the one shown. */
  step(step: -1 | 1, current: string): string | null {
    return step === -1 ? this.cursor.older(this.history, current) : this.cursor.newer(this.history);
  }

  get canDownloadParquet(): boolean {
    return !!this.result && this.result.columns.length > 0 && exportSql(this.result.last) !== null;
  }

  async downloadCsv(): Promise<void> {
    const db = this.app.database;
    const result = this.result;
    if (!db || !result || this.downloading) return;
    this.downloading = 'csv';
    this.downloadError = '';
    try {
      const text = await this.locked(() => resultToCsv(db, result));
      downloadBytes(new TextEncoder().encode(text), `tootscope-query-${stamp()}.csv`, 'text/csv;charset=utf-8');
    } catch (err) {
      this.downloadError = `CSV download failed: ${(err as Error).message}`;
    } finally {
      this.downloading = '';
    }
  }

  /** Runs the result's query again (wrapped as SELECT * FROM (…)) and writes it with parquet-wasm. */
  async downloadParquet(): Promise<void> {
    const db = this.app.database;
    const sql = this.result ? exportSql(this.result.last) : null;
    if (!db || !sql || this.downloading) return;
    this.downloading = 'parquet';
    this.downloadError = '';
    try {
      const pq = await loadParquet();
      const bytes = await this.locked(() => queryToParquet(db, pq, sql));
      downloadBytes(bytes, `tootscope-query-${stamp()}.parquet`, 'application/vnd.apache.parquet');
    } catch (err) {
      this.downloadError = `Parquet download failed: ${(err as Error).message}`;
    } finally {
      this.downloading = '';
    }
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
