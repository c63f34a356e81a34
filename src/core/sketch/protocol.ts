/**
 * Messages between the live panel (main thread) and the sketch worker. Types only: both sides
 * import this file, neither pulls the other's code.
 *
 * Rows cross the thread boundary in packed batches (only what the sketches read), at most about
 * four times a second, because every postMessage structured-clones its payload on the sending
 * (main) thread.
 */

/** The fields of a `TootRow` the sketches use. */
export interface LiveRow {
  /** Status uri: the identity used to skip repeats (federated copies, edits). */
  uri: string;
  /** `base_url` of the instance the row came from: sketches are kept per instance. */
  base: string;
  /** Language code, or 'unknown'. */
  lang: string;
  /** Plain text of the post (HTML already stripped). */
  text: string;
  /** Hashtags, lower-cased. */
  tags: string[];
  /** user@host. */
  acct: string;
  /** Length in code points. */
  chars: number;
  /** created_at, epoch ms. */
  ts: number;
}

export interface SnapshotQuery {
  /** Language whose top words to show; null picks the most frequent language. */
  language: string | null;
  /** One instance's sketches, or null for all instances merged. */
  instance: string | null;
  /** Leave out stop words from the top words. */
  stopWords: boolean;
  /** A word to look up in the seed's Count-Min sketch (seed-words.ts). */
  lookup?: string;
}

/** The Bytewax post's view (issue 17): its top words, a word's estimate and its random sample. */
export interface SeedSnapshot {
  /** English posts counted, and posts in other languages passed over. */
  posts: number;
  skipped: number;
  words: CountEntry[];
  bound: CountMinBound;
  lookup: { query: string; word: string | null; estimate: number } | null;
  sample: {
    /** Inclusion probability of each post now (halved as the sample fills). */
    rate: number;
    size: number;
    seen: number;
    newest: ReservoirItem[];
  };
}

/**
 * A batch of rows packed for postMessage: structured clone copies a graph of thousands of small
 * objects slowly (tens of ms a second at 2000 toots/s, measured), but one flat string and two
 * typed arrays (transferred, not copied) almost for free. Per row, in order: uri, base, lang,
 * text, tags (joined by spaces: hashtag names have none), acct in `strings`, their lengths in
 * UTF-16 units in `lengths`, and chars, ts in `numbers`.
 */
export interface RowBatch {
  count: number;
  strings: string;
  lengths: Uint32Array;
  numbers: Float64Array;
}

export type ToWorker =
  | { type: 'rows'; batch: RowBatch }
  | { type: 'snapshot'; id: number; query: SnapshotQuery }
  /** Write dirty sketches to IndexedDB now (e.g. the page is being hidden). */
  | { type: 'persist' }
  /** Forget every sketch, here and in IndexedDB. */
  | { type: 'reset' };

export type FromWorker =
  | { type: 'snapshot'; id: number; snapshot: LiveSnapshot }
  | { type: 'error'; message: string };

export interface CountEntry {
  key: string;
  /** Count-Min estimate (never below the true count), or the exact count when `exact`. */
  count: number;
  /** Counted exactly (stop words are few, so they are kept in a plain map). */
  exact: boolean;
}

export interface CountMinBound {
  /** ε: an estimate exceeds the true count by at most ε·N ... */
  tolerance: number;
  /** ... with at least this probability (1 − δ). */
  probability: number;
  /** N: the total the bound is relative to. */
  total: number;
  /** Sketch shape, for the note. */
  width: number;
  depth: number;
}

export interface QuantileEstimate {
  q: number;
  value: number;
  /** Values at q ∓ the rank-error bound: the exact quantile should lie in [low, high]. */
  low: number;
  high: number;
}

export interface ReservoirItem {
  uri: string;
  base: string;
  acct: string;
  lang: string;
  ts: number;
  /** Plain text, cut to a bounded length. Untrusted: render as text, never as HTML. */
  text: string;
}

export interface LanguageCount {
  code: string;
  /** Rows (not words) in this language that the sketches counted. */
  rows: number;
}

export interface LiveSnapshot {
  /** Rows counted by the sketches in scope (repeats excluded). */
  rows: number;
  /** Rows skipped as repeats of a uri seen recently (all instances). */
  repeats: number;
  /** Instances with sketches, by base_url. */
  instances: string[];
  /** Languages seen in scope, most rows first. */
  languages: LanguageCount[];
  /** The language the words are for (the query's, or the most frequent). */
  language: string | null;
  stopWords: boolean;
  words: CountEntry[];
  wordBound: CountMinBound;
  hashtags: CountEntry[];
  hashtagBound: CountMinBound;
  users: {
    estimate: number;
    /** 1.04/√m: one standard error, relative to the estimate. */
    relativeError: number;
    registers: number;
  };
  lengths: {
    count: number;
    /** The rank-error bound used for low/high, as a fraction of the count. */
    rankError: number;
    quantiles: QuantileEstimate[];
  };
  reservoir: ReservoirItem[];
  seed: SeedSnapshot;
  /** Rows the reservoir sampled from (= rows, unless merged reservoirs overlap). */
  reservoirSeen: number;
  /** Rows counted (all instances) when the sketches were last written to IndexedDB; 0 if never. */
  savedRows: number;
  savedAt: number | null;
  /** Rows restored from IndexedDB when the worker started. */
  restoredRows: number;
  restoreError: string | null;
  /** Worker time spent on rows and snapshots so far, ms (off the main thread). */
  workerMs: number;
}
