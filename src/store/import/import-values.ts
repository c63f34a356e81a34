import { DataType, type Table, type Vector } from 'apache-arrow';
import type { ColumnKind } from '../../core/toot';

/**
 * An imported Parquet column's values as a toot's fields, whatever the writer chose: Int64 or
 * Int32 or Double, Bool or 'True', UTC or plain times (parquet-import.ts).
 */

export type Column = { values: unknown[]; type: DataType };

export function column(table: Table, name: string): Column | null {
  const v = table.getChild(name) as Vector | null;
  return v ? { values: [...v], type: v.type } : null;
}

export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const int = (v: unknown): number => {
  const n = typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
};
export const bool = (v: unknown): boolean => v === true || v === 1 || v === 1n || (typeof v === 'string' && /^(true|t|1|yes)$/i.test(v));
export const big = (v: unknown): bigint => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  return 0n;
};
/** Epoch ms from a Timestamp/Date column (Arrow JS gives ms numbers whatever the unit or zone). */
export const millis = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(n) ? Math.round(n) : null;
};
export const list = (v: unknown): string[] => (v === null || v === undefined ? [] : [...(v as Iterable<unknown>)].filter((x) => x !== null).map(String));
/** Epoch seconds, from integer seconds or from a timestamp column. */
export const seconds = (v: unknown, type: DataType): number | null => {
  if (v === null || v === undefined) return null;
  if (DataType.isTimestamp(type) || DataType.isDate(type)) {
    const ms = millis(v);
    return ms === null ? null : Math.floor(ms / 1000);
  }
  const n = Number(v);
  return Number.isFinite(n) ? Math.floor(n) : null;
};

export function convert(kind: ColumnKind, v: unknown, type: DataType): unknown {
  switch (kind) {
    case 'bigint': return v === null || v === undefined ? null : big(v); // `m_id` of a ULID or Misskey id
    case 'seconds': return seconds(v, type) ?? 0;
    case 'int': return int(v);
    case 'bool': return bool(v);
    case 'text': return str(v);
    case 'ts': return millis(v);
    case 'text[]': return list(v);
  }
}
