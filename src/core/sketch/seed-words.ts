/**
 * The Bytewax post's top words, sized and fed as it did (issue 17): one TopK(25, .99, .002) fed
 * every English post, with links, mentions and hashtags removed before counting and English stop
 * words left out. One sketch over all rows, not per instance, so it can use conservative update
 * (the live panel's per-instance sketches use plain update to merge exactly: live-sketches.ts);
 * its bound is then the seed's: within 0.2 % of all counted words with probability 99 %.
 *
 * live-sketches.ts feeds it every counted row; the live panel shows it one click from its default.
 */

import type { LiveRow } from './protocol';
import { TopK, type TopKEntry, type TopKJSON } from './top-k';
import { ENGLISH_STOP_WORDS, tokenize } from './tokenize';

/** The seed's sizing: TopK(k, probability, tolerance). */
export const SEED_K = 25;
export const SEED_PROBABILITY = 0.99;
export const SEED_TOLERANCE = 0.002;

/** `#tag` (Unicode letters, marks, numbers, `_`) at a word start: the seed dropped hashtags, we otherwise keep their word. */
const HASHTAG_RE = /(^|[^\p{L}\p{M}\p{N}_&/])#[\p{L}\p{M}\p{N}_]+/gu;

/** The words the seed counted in one post's text: links, mentions, hashtags and stop words out. */
export function seedTokens(text: string): string[] {
  return tokenize(text.replace(HASHTAG_RE, '$1 '), { stopWords: ENGLISH_STOP_WORDS });
}

export interface SeedLookup {
  /** The word as counted (lower case), or null when the query holds no countable word. */
  word: string | null;
  /** Count-Min estimate: never below the true count. */
  estimate: number;
  /** The estimate exceeds the true count by at most `bound` … */
  bound: number;
  /** … with this probability. */
  probability: number;
  /** Words counted so far (N in the bound). */
  total: number;
}

export interface SeedWordsJSON {
  posts: number;
  skipped: number;
  top: TopKJSON;
}

export class SeedWords {
  top = new TopK(SEED_K, SEED_PROBABILITY, SEED_TOLERANCE);
  /** English posts counted, and posts passed over for another language. */
  posts = 0;
  skipped = 0;

  add(row: Pick<LiveRow, 'lang' | 'text'>): void {
    if (row.lang !== 'en') {
      this.skipped++;
      return;
    }
    this.posts++;
    for (const w of seedTokens(row.text)) this.top.update(w);
  }

  words(): TopKEntry[] {
    return this.top.top();
  }

  toJSON(): SeedWordsJSON {
    return { posts: this.posts, skipped: this.skipped, top: this.top.toJSON() };
  }

  static fromJSON(json: SeedWordsJSON): SeedWords {
    const s = new SeedWords();
    s.top = TopK.fromJSON(json.top);
    s.posts = json.posts;
    s.skipped = json.skipped;
    return s;
  }

  /** Any word's estimate with its bound; the query is cleaned as the posts were. */
  lookup(query: string): SeedLookup {
    const sketch = this.top.sketch;
    const word = tokenize(query)[0] ?? null;
    return {
      word,
      estimate: word === null ? 0 : this.top.estimate(word),
      bound: sketch.tolerance * sketch.total,
      probability: sketch.probability,
      total: sketch.total,
    };
  }
}
