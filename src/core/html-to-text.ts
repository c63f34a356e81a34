import { decodeHTML } from 'entities';

/**
 * Mastodon status HTML → plain text, without a DOM (runs in Node, workers and the page).
 *
 * Block boundaries (`<p>`, `<br>`, list items, headings, `<blockquote>`, `<pre>`) become
 * whitespace so words on either side never fuse; inline markup (links, `<span class="invisible">`)
 * is dropped but its text kept, so a link's full URL survives like BeautifulSoup's `get_text()`.
 * Entities are decoded once, after tags are gone, so `&lt;p&gt;` stays literal text.
 */
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>|<!--[\s\S]*?-->/g;
const PARAGRAPH = new Set(['p', 'blockquote', 'pre', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'div']);
const LINE = new Set(['br', 'li', 'tr']);
/** Elements whose content is never text a person reads. */
const SKIP_CONTENT = new Set(['script', 'style', 'template']);

export function htmlToText(html: string): string {
  if (!html) return '';
  if (!html.includes('<') && !html.includes('&')) return html.trim();
  let out = '';
  let last = 0;
  let skipping: string | null = null;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    if (!skipping) out += html.slice(last, m.index);
    last = TAG.lastIndex;
    const name = m[2]?.toLowerCase();
    if (!name) continue; // comment
    const closing = m[1] === '/';
    if (skipping) {
      if (closing && name === skipping) skipping = null;
      continue;
    }
    if (SKIP_CONTENT.has(name) && !closing) {
      skipping = name;
    } else if (PARAGRAPH.has(name)) {
      out += '\n\n';
    } else if (LINE.has(name)) {
      out += '\n';
    }
  }
  if (!skipping) out += html.slice(last);
  return tidy(decodeHTML(out));
}

/** Collapse runs of spaces, keep at most one blank line, trim the ends. */
function tidy(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t\f\v]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Code points, not UTF-16 units: an emoji counts once, like Python's `len()`. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Whitespace-separated words, as Python's `str.split()` counts them. */
export function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ws = isSpace(text.charCodeAt(i));
    if (!ws && !inWord) n++;
    inWord = !ws;
  }
  return n;
}

function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0x1c || c === 0x1d || c === 0x1e || c === 0x1f ||
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}
