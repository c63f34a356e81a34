/**
 * Status HTML the way Mastodon serves it: `<p>` paragraphs, `<br />`, hashtag/mention/URL links
 * with Mastodon's classes, entities for `& < > " '`. Local posts get the markup Mastodon renders
 * itself; remote posts get the sanitised form it stores for federated HTML (extra rel/target), as
 * in the fixtures, so parsers are exercised on both.
 */

import type { Rng } from './random';
import type { DemoLanguage } from './vocabulary';
import { LINK_SITES, URL_PATH_WORDS } from './vocabulary';

export interface MentionTarget {
  username: string;
  /** Profile URL on the mentioned user's server. */
  url: string;
}

export interface ContentSpec {
  language: DemoLanguage;
  /** Host that hashtag links point to: the author's server. */
  originHost: string;
  local: boolean;
  /** Hashtags to place, as written (casing kept). */
  hashtags: readonly string[];
  mentions: readonly MentionTarget[];
  /** An external link to place, or null. */
  link: string | null;
  /** Desired length of the plain text in characters (approximate). */
  targetChars: number;
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/;

/** HTML-escape like Rails' `h()`: the five characters, `'` as `&#39;` (as the fixtures show). */
export function escapeHtml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITY[c] as string) : text;
}

const REMOTE_REL = 'rel="nofollow noopener noreferrer" target="_blank"';

export function hashtagHtml(tag: string, originHost: string, local: boolean): string {
  const href = `https://${originHost}/tags/${encodeURIComponent(tag)}`;
  const attrs = local ? 'class="mention hashtag" rel="tag"' : `class="mention hashtag" ${REMOTE_REL}`;
  return `<a href="${escapeHtml(href)}" ${attrs}>#<span>${escapeHtml(tag)}</span></a>`;
}

export function mentionHtml(m: MentionTarget, local: boolean): string {
  const attrs = local ? 'class="u-url mention"' : `class="u-url mention" ${REMOTE_REL}`;
  return `<span class="h-card"><a href="${escapeHtml(m.url)}" ${attrs}>@<span>${escapeHtml(m.username)}</span></a></span>`;
}

/**
 * Mastodon shortens displayed URLs: the scheme (and `www.`) go into an invisible span, 30
 * characters stay visible with an ellipsis, the rest is invisible; the full text survives in the DOM.
 */
export function urlLinkHtml(url: string, local: boolean): string {
  const m = /^(https?:\/\/(?:www\.)?)(.*)$/.exec(url);
  const prefix = m?.[1] ?? '';
  const rest = m?.[2] ?? url;
  const visible = rest.slice(0, 30);
  const hidden = rest.slice(30);
  const attrs = local ? 'target="_blank" rel="nofollow noopener noreferrer"' : REMOTE_REL;
  return (
    `<a href="${escapeHtml(url)}" ${attrs}><span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${hidden ? 'ellipsis' : ''}">${escapeHtml(visible)}</span>` +
    `<span class="invisible">${escapeHtml(hidden)}</span></a>`
  );
}

/** A plausible article URL, sometimes with a query string so `&` shows up escaped in `href`. */
export function randomLink(rng: Rng): string {
  const site = rng.pick(LINK_SITES);
  let path = '';
  const depth = rng.range(1, 3);
  for (let i = 0; i < depth; i++) path += `/${rng.pick(URL_PATH_WORDS)}`;
  if (rng.chance(0.3)) path += `-${rng.range(1000, 99999)}`;
  if (rng.chance(0.15)) path += '?utm_source=mastodon&utm_medium=social';
  return `https://${site}${path}`;
}

/** Each language's words, HTML-escaped once, so the hot path never runs the escaper. */
const escapedWords = new WeakMap<DemoLanguage, string[]>();

/** Escaped words in `language` until roughly `chars` characters of text. */
function words(rng: Rng, language: DemoLanguage, chars: number): string[] {
  let escaped = escapedWords.get(language);
  if (!escaped) {
    escaped = language.words.map(escapeHtml);
    escapedWords.set(language, escaped);
  }
  const out: string[] = [];
  const sep = language.spaced ? 1 : 0;
  let len = 0;
  while (len < chars || out.length === 0) {
    const i = rng.int(escaped.length);
    out.push(escaped[i] as string);
    len += (language.words[i] as string).length + sep;
  }
  return out;
}

/** Builds the `content` HTML for a spec. */
export function buildContent(rng: Rng, spec: ContentSpec): string {
  const { language, local } = spec;
  const sep = language.spaced ? ' ' : '';
  // Hashtags either sit in the sentence or trail in a paragraph of their own, like people write them.
  const trailingTags = spec.hashtags.length > 0 && rng.chance(0.55);
  const inlineTags = trailingTags ? [] : spec.hashtags;

  const tokens = words(rng, language, spec.targetChars);
  // Spread inline hashtags over the text instead of prepending them all.
  for (const tag of inlineTags) {
    const at = rng.int(tokens.length + 1);
    tokens.splice(at, 0, hashtagHtml(tag, spec.originHost, local));
  }

  const paragraphs: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const size = tokens.length - i <= 60 ? tokens.length - i : rng.range(12, 60);
    let para = '';
    for (let j = 0; j < size; j++) {
      const tok = tokens[i + j] as string;
      if (j === 0) para = tok;
      // An occasional manual line break inside a paragraph, as typed with shift-enter.
      else if (j % 9 === 0 && rng.chance(0.15)) para += `<br />${tok}`;
      else para += sep + tok;
    }
    paragraphs.push(para);
    i += size;
  }

  if (spec.mentions.length > 0) {
    const lead = spec.mentions.map((m) => mentionHtml(m, local)).join(' ');
    paragraphs[0] = `${lead} ${paragraphs[0] ?? ''}`;
  }
  if (spec.link) {
    const last = paragraphs.length - 1;
    if (rng.chance(0.5)) paragraphs[last] = `${paragraphs[last]} ${urlLinkHtml(spec.link, local)}`;
    else paragraphs.push(urlLinkHtml(spec.link, local));
  }
  if (trailingTags) {
    paragraphs.push(spec.hashtags.map((t) => hashtagHtml(t, spec.originHost, local)).join(' '));
  }
  return `<p>${paragraphs.join('</p><p>')}</p>`;
}

/** Hashtag names in content HTML, as written (for tests and for the edit path). */
export function hashtagsInContent(html: string): string[] {
  const out: string[] = [];
  const re = /class="mention hashtag"[^>]*>#<span>([^<]*)<\/span>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) out.push(decodeBasicEntities(m[1] as string));
  return out;
}

function decodeBasicEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );
}
