import { DataType, DateUnit, IntervalUnit, Precision, TimeUnit, makeVector, type Data, type Table, type Vector } from 'apache-arrow';
import { spreadsheetText, toCsv } from '../../core/csv';

/**
 * A query result's columns as text, the way DuckDB's own shell prints them: exact 64-bit integers
 * and decimals, UTC timestamps to the microsecond, lists as `['a', 'b']`. Values are read from the
 * Arrow buffers directly (Vector.get rounds timestamps to milliseconds and has no MONTH_DAY_NANO
 * intervals in apache-arrow 17), and only for the rows asked for, so a 100k-row result costs
 * nothing until it is scrolled or downloaded. The text is shown as text, never as HTML.
 */
export interface ResultColumn {
  name: string;
  /** DuckDB's name for the type, as far as Arrow tells it (HUGEINT arrives as DECIMAL(38,0)). */
  type: string;
  /** Right-aligned in the table. */
  numeric: boolean;
  /** The cell as text; `null` for SQL NULL. */
  text(row: number): string | null;
  /**
   * How the table shows the cell when that differs from `text` (downloads keep `text`): the
   * schema's epoch-second `created_at` as a UTC date, so 1796452417 reads as a time (issue 18).
   */
  shown?(row: number): string | null;
}

/** Integer columns of the schema that hold Unix epoch seconds (SCHEMA.md). */
const EPOCH_SECOND_COLUMNS = new Set(['created_at']);

/** `YYYY-MM-DD HH:MM:SS UTC` for epoch seconds given as text; the text itself if it is not an integer. */
export function epochSecondsText(raw: string): string {
  if (!/^-?\d{1,12}$/.test(raw)) return raw;
  return `${formatTimestamp(BigInt(raw), TimeUnit.SECOND)} UTC`;
}

const decoder = new TextDecoder();
const pad2 = (n: number) => String(n).padStart(2, '0');

/** Days since 1970-01-01 → proleptic Gregorian year, month, day (H. Hinnant's civil_from_days). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function formatDate(days: number): string {
  const [y, m, d] = civil(days);
  const year = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

const UNITS_PER_SECOND: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1n,
  [TimeUnit.MILLISECOND]: 1_000n,
  [TimeUnit.MICROSECOND]: 1_000_000n,
  [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

/** `HH:MM:SS[.fraction]` for a non-negative count of `perSecond` units; trailing zeros of the fraction dropped. */
function clock(units: bigint, perSecond: bigint): string {
  const secs = units / perSecond;
  const frac = units % perSecond;
  const h = secs / 3600n;
  const m = (secs / 60n) % 60n;
  const s = secs % 60n;
  const digits = String(perSecond).length - 1;
  const tail = frac ? '.' + String(frac).padStart(digits, '0').replace(/0+$/, '') : '';
  return `${String(h).padStart(2, '0')}:${pad2(Number(m))}:${pad2(Number(s))}${tail}`;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) for an epoch count in `unit`. */
export function formatTimestamp(value: bigint, unit: TimeUnit): string {
  const perSecond = UNITS_PER_SECOND[unit] ?? 1_000_000n;
  const perDay = 86_400n * perSecond;
  let days = value / perDay;
  let rest = value % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  return `${formatDate(Number(days))} ${clock(rest, perSecond)}`;
}

/** DuckDB's interval text: `1 year 2 months 3 days 04:05:06.5`, `00:00:00` for zero. */
export function formatInterval(months: number, days: number, nanos: bigint): string {
  const parts: string[] = [];
  const plural = (n: number, w: string) => `${n} ${w}${Math.abs(n) === 1 ? '' : 's'}`;
  const years = Math.trunc(months / 12);
  const mons = months % 12;
  if (years) parts.push(plural(years, 'year'));
  if (mons) parts.push(plural(mons, 'month'));
  if (days) parts.push(plural(days, 'day'));
  if (nanos || !parts.length) {
    const micros = nanos / 1000n;
    parts.push((micros < 0n ? '-' : '') + clock(micros < 0n ? -micros : micros, 1_000_000n));
  }
  return parts.join(' ');
}

/** An unscaled two's-complement integer in little-endian 32-bit words, with `scale` decimals. */
export function formatDecimal(words: Uint32Array, scale: number): string {
  let v = 0n;
  for (let k = words.length - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[k]!);
  const bits = BigInt(words.length * 32);
  if (v >> (bits - 1n)) v -= 1n << bits;
  const neg = v < 0n;
  const digits = String(neg ? -v : v);
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** The shortest decimal that reads back as the same 32-bit float (1.1, not 1.100000023841858). */
function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

function formatBlob(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return s;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/**
 * One value of `data` (the index is within this chunk) as text, or null for NULL. Inside lists
 * and structs (`nested`) strings are quoted and NULL is written out, as DuckDB prints them.
 */
export function formatValue(data: Data, j: number, nested = false): string | null {
  const type = data.type as DataType;
  if (DataType.isNull(type)) return nested ? 'NULL' : null;
  if (!DataType.isUnion(type) && !data.getValid(j)) return nested ? 'NULL' : null;
  const values = data.values as ArrayLike<number | bigint> & { buffer: ArrayBufferLike; byteOffset: number; subarray(a: number, b: number): ArrayLike<number> };
  if (DataType.isInt(type)) return String(values[j]);
  if (DataType.isFloat(type)) {
    const v = values[j] as number;
    if (type.precision === Precision.HALF) return String(halfToFloat(v));
    return type.precision === Precision.SINGLE ? formatFloat32(v) : String(v);
  }
  if (DataType.isBool(type)) {
    const bit = data.offset + j;
    return ((data.values as Uint8Array)[bit >> 3]! >> (bit & 7)) & 1 ? 'true' : 'false';
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBinary(type) || DataType.isLargeBinary(type)) {
    const offsets = data.valueOffsets as ArrayLike<number | bigint>;
    const bytes = (data.values as Uint8Array).subarray(Number(offsets[j]), Number(offsets[j + 1]));
    if (DataType.isBinary(type) || DataType.isLargeBinary(type)) return formatBlob(bytes);
    const s = decoder.decode(bytes);
    return nested ? quote(s) : s;
  }
  if (DataType.isFixedSizeBinary(type)) return formatBlob((data.values as Uint8Array).subarray(j * type.byteWidth, (j + 1) * type.byteWidth));
  if (DataType.isDecimal(type)) {
    const stride = type.bitWidth / 32;
    return formatDecimal((data.values as Uint32Array).subarray(j * stride, (j + 1) * stride), type.scale);
  }
  if (DataType.isDate(type)) {
    const days = type.unit === DateUnit.DAY ? Number(values[j]) : Math.floor(Number(values[j]) / 86_400_000);
    const s = formatDate(days);
    return nested ? quote(s) : s;
  }
  if (DataType.isTimestamp(type)) {
    const s = formatTimestamp(BigInt(values[j]!), type.unit) + (type.timezone ? '+00' : '');
    return nested ? quote(s) : s;
  }
  if (DataType.isTime(type)) {
    const s = clock(BigInt(values[j]!), UNITS_PER_SECOND[type.unit] ?? 1_000_000n);
    return nested ? quote(s) : s;
  }
  if (DataType.isInterval(type)) {
    const i32 = data.values as Int32Array;
    let s: string;
    if ((type.unit as number) === IntervalUnit.YEAR_MONTH) s = formatInterval(i32[j]!, 0, 0n);
    else if ((type.unit as number) === IntervalUnit.DAY_TIME) s = formatInterval(0, i32[2 * j]!, BigInt(i32[2 * j + 1]!) * 1_000_000n);
    else {
      // MONTH_DAY_NANO: int32 months, int32 days, int64 nanoseconds, little-endian.
      const view = new DataView(i32.buffer, i32.byteOffset + 16 * j, 16);
      s = formatInterval(view.getInt32(0, true), view.getInt32(4, true), view.getBigInt64(8, true));
    }
    return nested ? quote(s) : s;
  }
  if (DataType.isDuration(type)) {
    const v = BigInt(values[j]!);
    const per = UNITS_PER_SECOND[type.unit] ?? 1_000_000n;
    return formatInterval(0, 0, (v * 1_000_000_000n) / per);
  }
  if (DataType.isList(type)) {
    const offsets = data.valueOffsets as ArrayLike<number | bigint>;
    return listText(data.children[0]!, Number(offsets[j]), Number(offsets[j + 1]));
  }
  if (DataType.isFixedSizeList(type)) return listText(data.children[0]!, j * type.listSize, (j + 1) * type.listSize);
  if (DataType.isMap(type)) {
    const offsets = data.valueOffsets as ArrayLike<number>;
    const entries = data.children[0]!;
    const [keys, vals] = entries.children;
    const parts: string[] = [];
    for (let k = Number(offsets[j]); k < Number(offsets[j + 1]); k++) {
      parts.push(`${formatValue(keys!, k, true)}=${formatValue(vals!, k, true)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  if (DataType.isStruct(type)) {
    const parts = type.children.map((f, k) => `${quote(f.name)}: ${formatValue(data.children[k]!, j, true)}`);
    return `{${parts.join(', ')}}`;
  }
  if (DataType.isDictionary(type)) {
    const dict = data.dictionary;
    if (!dict) return null;
    return vectorText(dict, Number(values[j]), nested);
  }
  const v: unknown = makeVector(data).get(j);
  if (v === null || v === undefined) return nested ? 'NULL' : null;
  return typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) : String(v);
}

function listText(child: Data, from: number, to: number): string {
  const parts: string[] = [];
  for (let k = from; k < to; k++) parts.push(formatValue(child, k, true) ?? 'NULL');
  return `[${parts.join(', ')}]`;
}

/** Row `i` of a (possibly chunked) vector. */
function vectorText(vector: Vector, i: number, nested = false): string | null {
  let base = 0;
  for (const d of vector.data) {
    if (i < base + d.length) return formatValue(d, i - base, nested);
    base += d.length;
  }
  return null;
}

export function typeName(type: DataType): string {
  if (DataType.isNull(type)) return 'NULL';
  if (DataType.isInt(type)) {
    const names: Record<number, string> = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' };
    return (type.isSigned ? '' : 'U') + (names[type.bitWidth] ?? 'INTEGER');
  }
  if (DataType.isFloat(type)) return type.precision === Precision.DOUBLE ? 'DOUBLE' : 'FLOAT';
  if (DataType.isDecimal(type)) return `DECIMAL(${type.precision},${type.scale})`;
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return 'BLOB';
  if (DataType.isDate(type)) return 'DATE';
  if (DataType.isTimestamp(type)) {
    if (type.timezone) return 'TIMESTAMP WITH TIME ZONE';
    return ({ [TimeUnit.SECOND]: 'TIMESTAMP_S', [TimeUnit.MILLISECOND]: 'TIMESTAMP_MS', [TimeUnit.NANOSECOND]: 'TIMESTAMP_NS' } as Record<number, string>)[type.unit] ?? 'TIMESTAMP';
  }
  if (DataType.isTime(type)) return 'TIME';
  if (DataType.isInterval(type) || DataType.isDuration(type)) return 'INTERVAL';
  if (DataType.isList(type)) return `${typeName(type.children[0]!.type)}[]`;
  if (DataType.isFixedSizeList(type)) return `${typeName(type.children[0]!.type)}[${type.listSize}]`;
  if (DataType.isMap(type)) {
    const [k, v] = type.children[0]!.type.children;
    return `MAP(${k ? typeName(k.type) : '?'}, ${v ? typeName(v.type) : '?'})`;
  }
  if (DataType.isStruct(type)) return `STRUCT(${type.children.map((f) => `${f.name} ${typeName(f.type)}`).join(', ')})`;
  if (DataType.isDictionary(type)) return typeName(type.dictionary);
  return String(type);
}

/** The result's columns, each reading its cells on demand. */
export function resultColumns(table: Table): ResultColumn[] {
  return table.schema.fields.map((field, c) => {
    const vector = table.getChildAt(c)!;
    const chunks = vector.data;
    const starts: number[] = [];
    let total = 0;
    for (const d of chunks) {
      starts.push(total);
      total += d.length;
    }
    let last = 0;
    const type = field.type as DataType;
    const column: ResultColumn = {
      name: field.name,
      type: typeName(type),
      numeric: DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type),
      text(row: number): string | null {
        if (row < 0 || row >= total) return null;
        // Rows are read in runs (a screenful, a download): the previous chunk is usually right.
        if (!(row >= starts[last]! && row < starts[last]! + chunks[last]!.length)) {
          let lo = 0;
          let hi = chunks.length - 1;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid]! <= row) lo = mid;
            else hi = mid - 1;
          }
          last = lo;
        }
        return formatValue(chunks[last]!, row - starts[last]!);
      },
    };
    if (EPOCH_SECOND_COLUMNS.has(field.name) && DataType.isInt(type)) {
      column.shown = (row: number) => {
        const raw = column.text(row);
        return raw === null ? null : epochSecondsText(raw);
      };
    }
    return column;
  });
}

/**
 * The rows as RFC 4180 CSV with a header; NULL is an empty field, '' is `""`. Toot text is a
 * stranger's: every non-numeric cell (and the names) that a spreadsheet would run as a formula
 * gets a leading `'` (spreadsheetText); numbers are written as they are.
 */
export function resultCsv(columns: readonly ResultColumn[], rowCount: number): string {
  function* rows() {
    for (let r = 0; r < rowCount; r++) yield columns.map((c) => (c.numeric ? c.text(r) : spreadsheetText(c.text(r))));
  }
  return toCsv(columns.map((c) => spreadsheetText(c.name)!), rows());
}
