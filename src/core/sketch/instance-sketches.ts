/**
 * What the live panel keeps for one instance (see live-sketches.ts, which merges them), and how
 * it is stored in IndexedDB: an instance record, and one words record per language.
 */

import { CountMinSketch } from './count-min';
import { HyperLogLog, type HyperLogLogJSON } from './hyperloglog';
import type { LiveRow, ReservoirItem } from './protocol';
import type { RandomSource } from './random';
import { Reservoir, type ReservoirJSON } from './reservoir';
import { TDigest, type TDigestJSON } from './t-digest';
import { TopK, type TopKJSON } from './top-k';
import { tokenize } from './tokenize';
import { stopWordsFor } from './stop-words';
import {
  HEAP_K, HLL_PRECISION, LIVE_FORMAT_VERSION, RESERVOIR_SIZE, RESERVOIR_TEXT_MAX, SKETCH_SEED, TAGS_DEPTH, TAGS_WIDTH,
  TDIGEST_COMPRESSION, WORDS_DEPTH, WORDS_WIDTH,
} from './live-sizes';

export interface InstanceRecord {
  v: number;
  base: string;
  rows: number;
  languages: Array<[string, number]>;
  users: HyperLogLogJSON;
  lengths: TDigestJSON;
  hashtags: TopKJSON;
  reservoir: ReservoirJSON<ReservoirItem>;
}

export interface WordsRecord {
  v: number;
  base: string;
  lang: string;
  content: TopKJSON;
  stop: Array<[string, number]>;
}

export function newWordsTopK(): TopK {
  return TopK.fromSketch(HEAP_K, new CountMinSketch(WORDS_WIDTH, WORDS_DEPTH, { seed: SKETCH_SEED, conservative: false }));
}

export function newTagsTopK(): TopK {
  return TopK.fromSketch(HEAP_K, new CountMinSketch(TAGS_WIDTH, TAGS_DEPTH, { seed: SKETCH_SEED, conservative: false }));
}

/** One language's words on one instance. */
export class LanguageWords {
  content = newWordsTopK();
  stop = new Map<string, number>();
  dirty = true;

  toRecord(base: string, lang: string): WordsRecord {
    return { v: LIVE_FORMAT_VERSION, base, lang, content: this.content.toJSON(), stop: [...this.stop] };
  }

  static fromRecord(r: WordsRecord): LanguageWords {
    const w = new LanguageWords();
    w.content = TopK.fromJSON(r.content);
    w.stop = new Map(r.stop);
    w.dirty = false;
    return w;
  }
}

/** Everything kept for one instance. */
export class InstanceSketches {
  rows = 0;
  /** Rows per language. */
  languages = new Map<string, number>();
  words = new Map<string, LanguageWords>();
  users = new HyperLogLog(HLL_PRECISION, SKETCH_SEED);
  lengths = new TDigest(TDIGEST_COMPRESSION);
  hashtags = newTagsTopK();
  reservoir: Reservoir<ReservoirItem>;
  dirty = true;

  constructor(
    readonly base: string,
    random: RandomSource,
  ) {
    this.reservoir = new Reservoir<ReservoirItem>(RESERVOIR_SIZE, random);
  }

  add(row: LiveRow): void {
    this.rows++;
    this.dirty = true;
    const lang = row.lang || 'unknown';
    this.languages.set(lang, (this.languages.get(lang) ?? 0) + 1);
    let words = this.words.get(lang);
    if (!words) this.words.set(lang, (words = new LanguageWords()));
    words.dirty = true;
    const stop = stopWordsFor(lang);
    for (const token of tokenize(row.text, { dropNumbers: true })) {
      if (stop.has(token)) words.stop.set(token, (words.stop.get(token) ?? 0) + 1);
      else words.content.update(token);
    }
    for (const tag of row.tags) if (tag) this.hashtags.update(tag.toLowerCase());
    this.users.add(row.acct);
    if (Number.isFinite(row.chars)) this.lengths.add(row.chars);
    this.reservoir.add({
      uri: row.uri,
      base: row.base,
      acct: row.acct,
      lang,
      ts: row.ts,
      text: row.text.length > RESERVOIR_TEXT_MAX ? `${row.text.slice(0, RESERVOIR_TEXT_MAX)}…` : row.text,
    });
  }

  toRecord(): InstanceRecord {
    return {
      v: LIVE_FORMAT_VERSION,
      base: this.base,
      rows: this.rows,
      languages: [...this.languages],
      users: this.users.toJSON(),
      lengths: this.lengths.toJSON(),
      hashtags: this.hashtags.toJSON(),
      reservoir: this.reservoir.toJSON(),
    };
  }

  static fromRecord(r: InstanceRecord, random: RandomSource): InstanceSketches {
    const s = new InstanceSketches(r.base, random);
    s.rows = r.rows;
    s.languages = new Map(r.languages);
    s.users = HyperLogLog.fromJSON(r.users);
    s.lengths = TDigest.fromJSON(r.lengths);
    s.hashtags = TopK.fromJSON(r.hashtags);
    s.reservoir = Reservoir.fromJSON<ReservoirItem>(r.reservoir, random);
    s.dirty = false;
    return s;
  }
}
