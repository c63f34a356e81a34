import { formatInteger, formatMean } from './format';
import type { Pick } from './scene';

export type Cell = string | number | null;

export interface TableColumn {
  label: string;
  numeric?: boolean;
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

/** CSV of a table (RFC 4180 quoting), for the table view's download. */
export function tableToCsv(t: TableData): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [t.columns.map((c) => q(c.label)).join(',')];
  for (const r of t.rows) lines.push(r.cells.map((c) => q(c === null ? '' : String(c))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
