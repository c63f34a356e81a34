import { describe, expect, it } from 'vitest';
import { csvField, csvRecord, parseCsv, toCsv } from '../../src/core/csv';

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
