import { formatInteger, formatMean } from './format';
import type { Pick } from './scene';
import { csvRecord, spreadsheetText } from '../core/csv';

export type Cell = string | number | null;

export interface TableColumn {
  label: string;
  numeric?: boolean;
  /** Text that must stay on one line (a date broken as "202 / 6-12-05" is unreadable). */
  nowrap?: boolean;
  /** Formats a number cell (default: 1,234 for integers, up to 3 decimals otherwise). */
  format?: (n: number) => string;
}

export interface TableRow {
  cells: Cell[];
  /** The row's filter action, offered as a button (the keyboard path to cross-filtering). */
  pick?: Pick;
}

/** What "show as table" shows: the chart's data, every value as text. */
export interface TableData {
  columns: TableColumn[];
  rows: TableRow[];
}

export function cellText(cell: Cell, column: TableColumn | undefined): string {
  if (cell === null) return '–';
  if (typeof cell === 'number') return column?.format ? column.format(cell) : Number.isInteger(cell) ? formatInteger(cell) : formatMean(cell);
  return cell;
}

/**
 * CSV of a table (RFC 4180), for the table view's download. Labels (app names, hashtags) are a
 * stranger's text: one a spreadsheet would run as a formula gets a leading `'`; numbers stay numbers.
 */
export function tableToCsv(t: TableData): string {
  const lines = [csvRecord(t.columns.map((c) => c.label))];
  for (const r of t.rows) lines.push(csvRecord(r.cells.map((c) => (c === null ? null : typeof c === 'number' ? String(c) : spreadsheetText(c)))));
  return lines.join('');
}
