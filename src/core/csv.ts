/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF, a field quoted
 * when it holds a comma, a double quote, CR or LF (quotes inside doubled).
 *
 * SQL NULL and the empty string are kept apart the way DuckDB's own CSV writer does: NULL is an
 * empty unquoted field, '' is `""`. Leading/trailing spaces are quoted too, so readers that trim
 * unquoted fields keep them.
 */
export type CsvValue = string | null;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A text cell a spreadsheet would run as a formula (or DDE) when the file is opened: OWASP's list. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell made safe to open in a spreadsheet, as OWASP recommends for CSV injection: a cell
 * starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, which spreadsheets take as "this
 * is text" (and most hide). Only for text: a numeric -5 must stay -5, so callers apply it per
 * column. The file is then made for spreadsheets, not for exact round trips (Parquet is that).
 */
export function spreadsheetText(value: CsvValue): CsvValue {
  return value !== null && FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/**
 * The whole file: a header record, then one record per row. `rows` is iterated once, so a large
 * result can be produced lazily; records are joined in slices to keep string building cheap.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const parts: string[] = [csvRecord(header)];
  let slice: string[] = [];
  for (const row of rows) {
    slice.push(csvRecord(row));
    if (slice.length === 4096) {
      parts.push(slice.join(''));
      slice = [];
    }
  }
  parts.push(slice.join(''));
  return parts.join('');
}

/**
 * Reads RFC 4180 text back (with `null` for empty unquoted fields), for round-trip tests and
 * anything that must check a file we wrote. Accepts CRLF or LF record ends.
 */
export function parseCsv(text: string): CsvValue[][] {
  const records: CsvValue[][] = [];
  let record: CsvValue[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let value: CsvValue;
    if (text[i] === '"') {
      let out = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        out += text.slice(i, q);
        if (text[q + 1] === '"') {
          out += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      value = out;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') j++;
      value = j === i ? null : text.slice(i, j);
      i = j;
    }
    record.push(value);
    if (i >= n) {
      records.push(record);
      return records;
    }
    const c = text[i];
    if (c === ',') {
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') i += 2;
    else if (c === '\n' || c === '\r') i++;
    else throw new Error(`unexpected character after a quoted field at ${i}`);
    records.push(record);
    record = [];
    if (i >= n) return records;
  }
}
