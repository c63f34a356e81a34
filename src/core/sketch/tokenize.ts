/**
 * Word tokenizer for the live "top words" panel: plain text (HTML already
 * stripped) in, lower-case word tokens out, ready for TopK.update.
 *
 * Design choices, each driven by what shows up in real toots:
 * - URLs and @mentions (including @user@instance) are removed first, or every
 *   link would contribute "https", "www" and domain fragments to the top list.
 * - Typographic apostrophes (’ ‘ ʼ ＇) become ' so "don’t" and "don't" count
 *   as one word; apostrophes at a token's edges are quotes, not contractions.
 * - Words are runs of Unicode letters, combining marks and numbers
 *   (\p{L}\p{M}\p{N}): marks are needed so Devanagari, Thai or decomposed
 *   accents stay inside their word. CJK text has no spaces, so a run of Han or
 *   kana stays one token rather than being split into meaningless characters.
 * - Hashtags keep their word ("#Rust" → "rust"): a tag is topic signal.
 * - Emoji and symbols are separators.
 */

/** http(s) and www. links up to the next whitespace. */
const URL_RE = /(?:\bhttps?:\/\/|\bwww\.)\S+/giu;
/** @user or @user@instance.tld at a word start (not the middle of an e-mail address). */
const MENTION_RE = /(^|[^\p{L}\p{M}\p{N}_.@])@[\p{L}\p{M}\p{N}_]+(?:[.-][\p{L}\p{M}\p{N}_]+)*(?:@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*)?/gu;
const APOSTROPHES_RE = /[\u2019\u2018\u02bc\uff07]/gu;
/**
 * Runs of letters/marks/numbers with inner apostrophes. Each part must start
 * with a letter or number: emoji variation selectors (U+FE0F) are marks too,
 * and "❤️" must not leave a token made of a lone selector.
 */
const WORD_RE = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:'+[\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*/gu;

export interface TokenizeOptions {
  /** Tokens in this set are dropped (compare with ENGLISH_STOP_WORDS). */
  stopWords?: ReadonlySet<string>;
  /** Drop tokens shorter than this many code points (default 1). */
  minLength?: number;
  /** Drop tokens made only of digits, e.g. years and counters (default false). */
  dropNumbers?: boolean;
}

const DIGITS_RE = /^\p{N}+$/u;

export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const { stopWords, minLength = 1, dropNumbers = false } = options;
  // NFC first so precomposed and combining forms of the same word hash identically.
  const cleaned = text
    .normalize('NFC')
    .replace(URL_RE, ' ')
    .replace(MENTION_RE, '$1 ')
    .replace(APOSTROPHES_RE, "'")
    .toLowerCase();
  const out: string[] = [];
  for (const match of cleaned.matchAll(WORD_RE)) {
    const token = match[0];
    if (minLength > 1 && [...token].length < minLength) continue;
    if (dropNumbers && DIGITS_RE.test(token)) continue;
    if (stopWords?.has(token)) continue;
    out.push(token);
  }
  return out;
}

/**
 * Common English function words, including contractions as the tokenizer
 * emits them ("don't", "it's"). Deliberately short: content words such as
 * "people" or "time" are often what a top-words panel should show.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are aren\'t as at be because been before being below ' +
    'between both but by can can\'t cannot could couldn\'t did didn\'t do does doesn\'t doing don\'t down during each ' +
    'few for from further had hadn\'t has hasn\'t have haven\'t having he he\'d he\'ll he\'s her here here\'s hers ' +
    'herself him himself his how how\'s i i\'d i\'ll i\'m i\'ve if in into is isn\'t it it\'s its itself just let\'s ' +
    'me more most mustn\'t my myself no nor not now of off on once only or other ought our ours ourselves out over ' +
    'own same shan\'t she she\'d she\'ll she\'s should shouldn\'t so some such than that that\'s the their theirs them ' +
    'themselves then there there\'s these they they\'d they\'ll they\'re they\'ve this those through to too under ' +
    'until up very was wasn\'t we we\'d we\'ll we\'re we\'ve were weren\'t what what\'s when when\'s where where\'s ' +
    'which while who who\'s whom why why\'s will with won\'t would wouldn\'t you you\'d you\'ll you\'re you\'ve your ' +
    'yours yourself yourselves also get got via amp rt'
  ).split(' '),
);
