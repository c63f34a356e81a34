import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, parseCsv, spreadsheetText, toCsv } from '../../src/core/csv';
import { tableToCsv } from '../../src/charts/table';
import { resultCsv, type ResultColumn } from '../../src/ui/sql/result-format';

describe('RFC 4180 CSV writer', () => {
  it('quotes only fields that need it, doubling quotes inside', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('"')).toBe('""""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('naïve 🐘, ok')).toBe('"naïve 🐘, ok"');
  });

  it('writes NULL as an empty field and the empty string as ""', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvRecord([null, '', 'x'])).toBe(',"",x\r\n');
  });

  it('ends every record, the last one too, with CRLF', () => {
    expect(toCsv(['a', 'b'], [['1', '2'], ['3', null]])).toBe('a,b\r\n1,2\r\n3,\r\n');
    expect(toCsv(['only'], [])).toBe('only\r\n');
  });

  it('round-trips awkward text through a reader', () => {
    const rows = [
      ['<p>toot</p>', 'multi\nline\r\ntext', 'comma, "quote"'],
      ['', null, '\'single\''],
      ['=1+1', '   ', 'tab\there'],
    ];
    const text = toCsv(['html', 'text', 'mixed'], rows);
    expect(parseCsv(text)).toEqual([['html', 'text', 'mixed'], ...rows]);
  });

  it('builds large files in slices without changing them', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [String(i), i % 3 ? `v${i}` : null]);
    const text = toCsv(['i', 'v'], rows);
    const back = parseCsv(text);
    expect(back).toHaveLength(10_001);
    expect(back[9_999 + 1]).toEqual(['9999', null]);
    expect(back[1]).toEqual(['0', null]);
    expect(back[2]).toEqual(['1', 'v1']);
  });
});

describe('CSV for spreadsheets (OWASP CSV injection)', () => {
  it("prefixes a ' to text a spreadsheet would run as a formula, and leaves the rest alone", () => {
    for (const v of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', "=cmd|' /C calc'!A0"]) {
      expect(spreadsheetText(v)).toBe(`'${v}`);
    }
    for (const v of ['plain', ' =not first', "'already", '', '1-2', 'a=b']) expect(spreadsheetText(v)).toBe(v);
    expect(spreadsheetText(null)).toBeNull();
    // Quoting still applies on top: the tab and CR cells are quoted, and read back with the quote.
    expect(parseCsv(csvRecord([spreadsheetText('\t=1'), spreadsheetText('=a,b')]))).toEqual([["'\t=1", "'=a,b"]]);
  });

  it('chart tables: hostile labels are defused, numbers (negative ones too) stay numbers', () => {
    const csv = tableToCsv({
      columns: [{ label: 'App' }, { label: 'Toots', numeric: true }],
      rows: [{ cells: ['=1+2', -5] }, { cells: ['@evil', 3] }, { cells: ['Elk', null] }],
    });
    expect(csv).toBe("App,Toots\r\n'=1+2,-5\r\n'@evil,3\r\nElk,\r\n");
  });
});

describe('console result CSV', () => {
  it('defuses text columns and column names, never numeric columns', () => {
    const col = (name: string, numeric: boolean, cells: Array<string | null>): ResultColumn => ({
      name, type: numeric ? 'INTEGER' : 'VARCHAR', numeric, text: (r) => cells[r] ?? null,
    });
    const csv = resultCsv([col('=app', false, ['=WEBSERVICE("x")', '-look', null]), col('delta', true, ['-5', '+3', '-0.5']), col('day', false, ['-0044-03-15', '2026-11-18', ''])], 3);
    expect(parseCsv(csv)).toEqual([
      ["'=app", 'delta', 'day'],
      ['\'=WEBSERVICE("x")', '-5', "'-0044-03-15"],
      ["'-look", '+3', '2026-11-18'],
      [null, '-0.5', ''],
    ]);
  });
});
