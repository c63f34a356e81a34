import { describe, expect, it } from 'vitest';
import { ENGLISH_STOP_WORDS, tokenize } from '../../../src/core/sketch/tokenize';

describe('tokenize', () => {
  it('lower-cases and splits on anything that is not a letter or number', () => {
    expect(tokenize('Hello, World! It is 2025... right?')).toEqual(['hello', 'world', 'it', 'is', '2025', 'right']);
  });

  it('removes URLs', () => {
    expect(tokenize('read https://example.social/@bob/1234?x=1 and www.example.com/page now')).toEqual(['read', 'and', 'now']);
    expect(tokenize('HTTP://EXAMPLE.COM/A done')).toEqual(['done']);
  });

  it('removes @mentions, including @user@instance, but not e-mail addresses', () => {
    expect(tokenize('@alice thanks! cc @bob@mastodon.social and @carol_x@sub.example.org.')).toEqual(['thanks', 'cc', 'and']);
    expect(tokenize('(@dave) hi @émile')).toEqual(['hi']);
    expect(tokenize('mail me at bob@example.com')).toEqual(['mail', 'me', 'at', 'bob', 'example', 'com']);
  });

  it('normalises apostrophe variants and keeps contractions whole', () => {
    const variants = ['don’t', 'don‘t', 'donʼt', 'don＇t', "don't"];
    for (const v of variants) expect(tokenize(`I ${v} know`)).toEqual(['i', "don't", 'know']);
  });

  it('strips leading and trailing apostrophes (quotes)', () => {
    expect(tokenize("'quoted' words’ and ‘more’ rock 'n' roll")).toEqual(['quoted', 'words', 'and', 'more', 'rock', 'n', 'roll']);
    expect(tokenize("the dogs' bowls")).toEqual(['the', 'dogs', 'bowls']);
  });

  it('treats emoji and symbols as separators', () => {
    expect(tokenize('I ❤️ rust🦀and👩‍💻 code ✨✨')).toEqual(['i', 'rust', 'and', 'code']);
    expect(tokenize('🎉🎉🎉')).toEqual([]);
  });

  it('keeps hashtag words and non-Latin letters', () => {
    expect(tokenize('#FediDev #日本語')).toEqual(['fedidev', '日本語']);
    expect(tokenize('東京タワーに行った')).toEqual(['東京タワーに行った']);
    expect(tokenize('Привет, мир! Ελληνικά')).toEqual(['привет', 'мир', 'ελληνικά']);
    // Combining marks stay inside the word (Devanagari vowel signs).
    expect(tokenize('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
  });

  it('normalises composed and decomposed accents to one token', () => {
    expect(tokenize('Cafe\u0301 café')).toEqual(['café', 'café']);
  });

  it('filters stop words, short tokens and numbers on request', () => {
    const text = "It's the best day of 2025, isn't it? A b c";
    expect(tokenize(text, { stopWords: ENGLISH_STOP_WORDS })).toEqual(['best', 'day', '2025', 'b', 'c']);
    expect(tokenize(text, { stopWords: ENGLISH_STOP_WORDS, minLength: 2, dropNumbers: true })).toEqual(['best', 'day']);
    expect(ENGLISH_STOP_WORDS.has("don't")).toBe(true);
    expect(ENGLISH_STOP_WORDS.has('mastodon')).toBe(false);
  });
});
