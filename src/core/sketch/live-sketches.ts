/**
 * The live panel's sketches, kept per instance and merged on demand: what the sketch worker
 * runs, as a pure class so Node tests can drive it. The worker adds IndexedDB and messaging.
 *
 * Per instance (base_url) it keeps
 * - per language, the top words: a Count-Min + heap (TopK) over words that are not stop words,
 *   and exact counts of the stop words (a fixed, short list, so the map stays small). The stop-word
 *   toggle then needs no second sketch: "without stop words" is the heap, "with" adds the exact
 *   counts back in;
 * - the top hashtags (TopK), distinct users (HyperLogLog over acct), toot lengths (T-Digest) and a
 *   uniform reservoir of 20 toots.
 *
 * Count-Min sketches here use plain (not conservative) update. Plain update is exactly mergeable:
 * the sum of two instances' sketches IS the sketch of both streams, so "all instances" is the
 * same sketch as one fed every row, and the ε·N bound holds either way. Conservative update would
 * halve the typical overestimate of a single sketch but make merged sketches looser than a
 * single one; the panel merges on every snapshot, so exactness of the merge wins.
 *
 * Rows repeat: the same uri arrives from several instances (federation) and again on each edit.
 * The first sighting counts, in the instance that delivered it (as DuckDB's `toots.base_url`
 * is the first instance); later ones are skipped using a bounded set of recent uri hashes. Cost:
 * two generations of at most RECENT_GENERATION 53-bit hashes each (~40 bytes per entry in a V8
 * Set, so ≤ ~2.6 MB), and a repeat arriving after 32k–64k newer distinct uris is counted again
 * (an overcount; at 2000 toots/s that is after 16–32 s, at 20 toots/s after 27–55 minutes).
 * Edits are skipped like any repeat, so sketches see a post's first text. HLL alone would not
 * need this (it is idempotent), but counts, quantiles and the reservoir do.
 *
 * Deletes never reach the sketches: a deleted post stays counted (DuckDB's exact figures drop it).
 */

import { HyperLogLog } from './hyperloglog';
import type {
  CountEntry, CountMinBound, LanguageCount, LiveRow, LiveSnapshot, QuantileEstimate, ReservoirItem, SnapshotQuery,
} from './protocol';
import { type RandomSource, seededRandom } from './random';
import { Reservoir } from './reservoir';
import { TDigest } from './t-digest';
import type { TopK } from './top-k';
import { RecentUris } from './recent-uris';
import { SeedWords, type SeedWordsJSON } from './seed-words';
import { SeedSample } from './seed-sample';
import type { RandomSampleJSON } from './random-sample';
import { InstanceSketches, LanguageWords, newTagsTopK, newWordsTopK, type InstanceRecord, type WordsRecord } from './instance-sketches';
import {
  HEAP_K, HLL_PRECISION, LIVE_FORMAT_VERSION, QUANTILES, RANK_ERROR, RECENT_GENERATION, RESERVOIR_MERGE_SEED, RESERVOIR_SIZE,
  RESERVOIR_TEXT_MAX,
  SHOW_K, SKETCH_SEED, TDIGEST_COMPRESSION,
} from './live-sizes';

// ---------------------------------------------------------------------------------------------
// Stored records (IndexedDB values). Keys: META_KEY, instanceKey(base), wordsKey(base, lang).

export const META_KEY = 'meta';
/** The seed's view: one record, for all instances (seed-words.ts, seed-sample.ts). */
export const SEED_KEY = 'seed';
interface SeedRecord {
  v: number;
  words: SeedWordsJSON;
  sample: RandomSampleJSON<ReservoirItem>;
}
export const instanceKey = (base: string): string => `i\u0001${base}`;
export const wordsKey = (base: string, lang: string): string => `w\u0001${base}\u0001${lang}`;

interface MetaRecord {
  v: number;
  repeats: number;
  savedRows: number;
  savedAt: number;
  /** Recent uri hashes, oldest first (both generations). */
  recent: Float64Array;
}

export type StoredEntry = [string, unknown];


export interface LiveSketchesOptions {
  /** Randomness for the per-instance reservoirs (default Math.random); tests pass a seeded one. */
  random?: RandomSource;
  recentGeneration?: number;
  now?: () => number;
}

/** The sketches of one scope (an instance or all of them) merged, for a snapshot or a test. */
export interface MergedSketches {
  rows: number;
  languages: LanguageCount[];
  words(lang: string): { content: TopK; stop: Map<string, number> };
  users: HyperLogLog;
  lengths: TDigest;
  hashtags: TopK;
  reservoir: Reservoir<ReservoirItem>;
}

function bound(t: TopK): CountMinBound {
  const s = t.sketch;
  return { tolerance: s.tolerance, probability: s.probability, total: s.total, width: s.width, depth: s.depth };
}

function entries(t: TopK, k: number): CountEntry[] {
  return t.top().slice(0, k).map((e) => ({ key: e.key, count: e.count, exact: false }));
}

function byCountThenKey(a: CountEntry, b: CountEntry): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export class LiveSketches {
  readonly instances = new Map<string, InstanceSketches>();
  /** The Bytewax post's top words and random sample, fed every counted row. */
  seed = new SeedWords();
  seedSample: SeedSample;
  private seedDirty = true;
  repeats = 0;
  savedRows = 0;
  savedAt: number | null = null;
  restoredRows = 0;
  restoreError: string | null = null;
  workerMs = 0;
  private recent: RecentUris;
  private metaDirty = true;
  private readonly random: RandomSource;
  private readonly now: () => number;
  private readonly recentGeneration: number;

  constructor(options: LiveSketchesOptions = {}) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
    this.recentGeneration = options.recentGeneration ?? RECENT_GENERATION;
    this.recent = new RecentUris(this.recentGeneration, SKETCH_SEED);
    this.seedSample = new SeedSample(this.random);
  }

  /** Rows counted, all instances (repeats excluded). */
  get rows(): number {
    let n = 0;
    for (const s of this.instances.values()) n += s.rows;
    return n;
  }

  add(rows: readonly LiveRow[]): void {
    const t0 = this.now();
    for (const row of rows) {
      this.metaDirty = true;
      if (this.recent.seen(row.uri)) {
        this.repeats++;
        continue;
      }
      let inst = this.instances.get(row.base);
      if (!inst) this.instances.set(row.base, (inst = new InstanceSketches(row.base, this.random)));
      inst.add(row);
      this.seed.add(row);
      const text = row.text.length > RESERVOIR_TEXT_MAX ? `${row.text.slice(0, RESERVOIR_TEXT_MAX)}…` : row.text;
      this.seedSample.add({ uri: row.uri, base: row.base, acct: row.acct, lang: row.lang || 'unknown', ts: row.ts, text });
      this.seedDirty = true;
    }
    this.workerMs += this.now() - t0;
  }

  /** Merges the instances in scope (one, or all when `instance` is null) into fresh sketches. */
  merged(instance: string | null): MergedSketches {
    const scope = instance === null ? [...this.instances.values()] : [this.instances.get(instance)].filter((s) => s !== undefined);
    const languages = new Map<string, number>();
    let rows = 0;
    const users = new HyperLogLog(HLL_PRECISION, SKETCH_SEED);
    const lengths = new TDigest(TDIGEST_COMPRESSION);
    const hashtags = newTagsTopK();
    // A fixed seed: the same sketches give the same sample, so the panel does not reshuffle every second.
    const reservoir = new Reservoir<ReservoirItem>(RESERVOIR_SIZE, seededRandom(RESERVOIR_MERGE_SEED));
    for (const s of scope) {
      rows += s.rows;
      for (const [code, n] of s.languages) languages.set(code, (languages.get(code) ?? 0) + n);
      users.merge(s.users);
      lengths.merge(s.lengths);
      hashtags.merge(s.hashtags);
      reservoir.merge(s.reservoir);
    }
    return {
      rows,
      languages: [...languages]
        .map(([code, n]) => ({ code, rows: n }))
        .sort((a, b) => b.rows - a.rows || (a.code < b.code ? -1 : 1)),
      words(lang: string) {
        const content = newWordsTopK();
        const stop = new Map<string, number>();
        for (const s of scope) {
          const w = s.words.get(lang);
          if (!w) continue;
          content.merge(w.content);
          for (const [k, n] of w.stop) stop.set(k, (stop.get(k) ?? 0) + n);
        }
        return { content, stop };
      },
      users,
      lengths,
      hashtags,
      reservoir,
    };
  }

  snapshot(q: SnapshotQuery): LiveSnapshot {
    const t0 = this.now();
    const m = this.merged(q.instance);
    const language = q.language ?? m.languages[0]?.code ?? null;
    const { content, stop } = m.words(language ?? '');
    let words = entries(content, SHOW_K);
    if (!q.stopWords) {
      const all = entries(content, HEAP_K);
      for (const [key, count] of stop) all.push({ key, count, exact: true });
      words = all.sort(byCountThenKey).slice(0, SHOW_K);
    }
    const n = m.lengths.count;
    const quantiles: QuantileEstimate[] = n
      ? QUANTILES.map((p) => ({
          q: p,
          value: m.lengths.quantile(p),
          low: m.lengths.quantile(Math.max(0, p - RANK_ERROR)),
          high: m.lengths.quantile(Math.min(1, p + RANK_ERROR)),
        }))
      : [];
    const seenUris = new Set<string>();
    const reservoir = m.reservoir.items
      .filter((it) => !seenUris.has(it.uri) && seenUris.add(it.uri))
      .sort((a, b) => b.ts - a.ts || (a.uri < b.uri ? -1 : 1));
    const snap: LiveSnapshot = {
      rows: m.rows,
      repeats: this.repeats,
      instances: [...this.instances.keys()].sort(),
      languages: m.languages,
      language,
      stopWords: q.stopWords,
      words,
      wordBound: bound(content),
      hashtags: entries(m.hashtags, SHOW_K),
      hashtagBound: bound(m.hashtags),
      users: { estimate: m.users.count(), relativeError: m.users.relativeError, registers: m.users.m },
      lengths: { count: n, rankError: RANK_ERROR, quantiles },
      reservoir,
      seed: this.seedSnapshot(q.lookup),
      reservoirSeen: m.reservoir.seen,
      savedRows: this.savedRows,
      savedAt: this.savedAt,
      restoredRows: this.restoredRows,
      restoreError: this.restoreError,
      workerMs: 0,
    };
    this.workerMs += this.now() - t0;
    snap.workerMs = this.workerMs;
    return snap;
  }

  private seedSnapshot(lookup: string | undefined): LiveSnapshot['seed'] {
    const found = lookup?.trim() ? this.seed.lookup(lookup) : null;
    return {
      posts: this.seed.posts,
      skipped: this.seed.skipped,
      words: entries(this.seed.top, SHOW_K),
      bound: bound(this.seed.top),
      lookup: found && lookup ? { query: lookup, word: found.word, estimate: found.estimate } : null,
      sample: { rate: this.seedSample.rate, size: this.seedSample.size, seen: this.seedSample.seen, newest: this.seedSample.newest(RESERVOIR_SIZE) },
    };
  }

  /**
   * Records that changed since the last call (all of them with `all`), ready for IndexedDB, and
   * marks them clean. `rows` is the row count they hold. If the write fails, call markDirty().
   */
  serialise(all = false, savedAt = Date.now()): { entries: StoredEntry[]; rows: number } {
    const out: StoredEntry[] = [];
    for (const [base, s] of this.instances) {
      if (all || s.dirty) out.push([instanceKey(base), s.toRecord()]);
      s.dirty = false;
      for (const [lang, w] of s.words) {
        if (all || w.dirty) out.push([wordsKey(base, lang), w.toRecord(base, lang)]);
        w.dirty = false;
      }
    }
    if (all || this.seedDirty) {
      const seed: SeedRecord = { v: LIVE_FORMAT_VERSION, words: this.seed.toJSON(), sample: this.seedSample.toJSON() };
      out.push([SEED_KEY, seed]);
    }
    this.seedDirty = false;
    const rows = this.rows;
    if (all || this.metaDirty || out.length) {
      const meta: MetaRecord = { v: LIVE_FORMAT_VERSION, repeats: this.repeats, savedRows: rows, savedAt, recent: this.recent.toArray() };
      out.push([META_KEY, meta]);
    }
    this.metaDirty = false;
    return { entries: out, rows };
  }

  /** The write of the last serialise() succeeded. */
  markSaved(rows: number, at: number): void {
    this.savedRows = rows;
    this.savedAt = at;
  }

  /** The write failed: everything goes out again next time. */
  markDirty(): void {
    this.metaDirty = true;
    this.seedDirty = true;
    for (const s of this.instances.values()) {
      s.dirty = true;
      for (const w of s.words.values()) w.dirty = true;
    }
  }

  /**
   * Rebuilds the sketches from stored records (any order). Throws on a record of another format
   * version or a malformed one: the caller then starts empty and clears the store.
   */
  static restore(stored: ReadonlyArray<readonly [IDBValidKey, unknown]>, options: LiveSketchesOptions = {}): LiveSketches {
    const live = new LiveSketches(options);
    const words: WordsRecord[] = [];
    let meta: MetaRecord | null = null;
    for (const [key, value] of stored) {
      const rec = value as { v?: unknown } | null;
      if (!rec || typeof rec !== 'object' || rec.v !== LIVE_FORMAT_VERSION) {
        throw new TypeError(`stored sketch ${String(key)} has format ${String(rec?.v)}, expected ${LIVE_FORMAT_VERSION}`);
      }
      if (key === META_KEY) meta = value as MetaRecord;
      else if (key === SEED_KEY) {
        const r = value as SeedRecord;
        live.seed = SeedWords.fromJSON(r.words);
        live.seedSample = SeedSample.fromJSON(r.sample, live.random);
        live.seedDirty = false;
      }
      else if (typeof key === 'string' && key.startsWith('i\u0001')) {
        const r = value as InstanceRecord;
        live.instances.set(r.base, InstanceSketches.fromRecord(r, live.random));
      } else if (typeof key === 'string' && key.startsWith('w\u0001')) words.push(value as WordsRecord);
      else throw new TypeError(`unknown stored sketch key ${String(key)}`);
    }
    for (const w of words) {
      const inst = live.instances.get(w.base);
      // A words record whose instance record is missing cannot be trusted to match it: drop it.
      if (inst) inst.words.set(w.lang, LanguageWords.fromRecord(w));
    }
    if (meta) {
      live.repeats = meta.repeats;
      live.savedRows = meta.savedRows;
      live.savedAt = meta.savedAt;
      live.recent = RecentUris.from(meta.recent, live.recentGeneration, SKETCH_SEED);
    }
    live.restoredRows = live.rows;
    live.metaDirty = false;
    return live;
  }
}

export { exactLiveSql, encodeRows, decodeRows, liveRow, type ExactFigures, type SketchedFields } from './live-rows';
