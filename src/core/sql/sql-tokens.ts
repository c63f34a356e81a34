/**
 * DuckDB's SQL split into tokens, as far as the console's statement splitting and its guard
 * (statement-guard.ts) need: words, quoted names, strings, numbers and operators, with comments
 * and whitespace dropped.
 */

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'op';

export interface Token {
  kind: TokenKind;
  /** word: lowercased; ident: unquoted; string: contents; op/number: as written. */
  value: string;
  start: number;
  end: number;
}

const isWordStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isWordPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/**
 * A quoted string or name from `i`, just past its opening quote, to just past its closing one (or
 * the end): a doubled quote stands for one, and with `escapes` (E'…') a backslash escapes the next
 * character.
 */
function readQuoted(sql: string, i: number, quote: string, escapes: boolean): { value: string; end: number } {
  let value = '';
  while (i < sql.length) {
    const ch = sql[i]!;
    if (escapes && ch === '\\' && i + 1 < sql.length) {
      value += sql[i + 1];
      i += 2;
    } else if (ch === quote && sql[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (ch === quote) {
      return { value, end: i + 1 };
    } else {
      value += ch;
      i++;
    }
  }
  return { value, end: i };
}

/** DuckDB's lexical rules, as far as splitting and the guard need them. Never throws. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && next === '*') {
      // Block comments nest, as in PostgreSQL's grammar that DuckDB's parser comes from.
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || ((c === 'e' || c === 'E') && next === "'" && !isWordPart(sql[i - 1] ?? ' '))) {
      const escapes = c !== "'";
      const start = i;
      const { value, end } = readQuoted(sql, i + (escapes ? 2 : 1), "'", escapes);
      i = end;
      out.push({ kind: 'string', value, start, end });
    } else if (c === '"') {
      const start = i;
      const { value, end } = readQuoted(sql, i + 1, '"', false);
      i = end;
      out.push({ kind: 'ident', value, start, end });
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '')) {
      // Dollar quoting: $$…$$ or $tag$…$tag$. `$1`, `$name` parameters are not strings.
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        const end = close < 0 ? n : close + tag.length;
        out.push({ kind: 'string', value: sql.slice(i + tag.length, close < 0 ? n : close), start: i, end });
        i = end;
      } else {
        const start = i;
        i++;
        while (i < n && isWordPart(sql[i]!)) i++;
        out.push({ kind: 'op', value: sql.slice(start, i), start, end: i });
      }
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      const start = i;
      while (i < n && /[0-9._]/.test(sql[i]!)) i++;
      if (/[eE]/.test(sql[i] ?? '') && /[-+0-9]/.test(sql[i + 1] ?? '')) {
        i += 2;
        while (i < n && /[0-9]/.test(sql[i]!)) i++;
      }
      out.push({ kind: 'number', value: sql.slice(start, i), start, end: i });
    } else if (isWordStart(c)) {
      const start = i;
      while (i < n && isWordPart(sql[i]!)) i++;
      out.push({ kind: 'word', value: sql.slice(start, i).toLowerCase(), start, end: i });
    } else if (c === ':' && next === ':') {
      out.push({ kind: 'op', value: '::', start: i, end: i + 2 });
      i += 2;
    } else {
      out.push({ kind: 'op', value: c, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}
