/** Sizes, error bounds and seeds of the live panel's sketches (live-sketches.ts). */

/** Entries shown in the top lists. */
export const SHOW_K = 25;
/**
 * Heap size kept per sketch: larger than SHOW_K so that merging per-instance heaps (the union of
 * their candidates, re-estimated on the merged sketch) finds the true top 25 of all instances.
 */
export const HEAP_K = 128;
/** Words: 1024×5 per (instance, language), 40 KiB; ε = 2/1024 ≈ 0.2 %, probability 1 − 2⁻⁵ ≈ 96.9 %. */
export const WORDS_WIDTH = 1024;
export const WORDS_DEPTH = 5;
/** Hashtags: one sketch per instance, so a deeper one: 1024×7, probability 1 − 2⁻⁷ ≈ 99.2 %. */
export const TAGS_WIDTH = 1024;
export const TAGS_DEPTH = 7;
/** 2^14 registers (16 KiB): standard error 1.04/√16384 ≈ 0.81 %. */
export const HLL_PRECISION = 14;
export const TDIGEST_COMPRESSION = 100;
export const RESERVOIR_SIZE = 20;
/** Reservoir texts are cut to this many UTF-16 units: remote posts can be 70,000 characters. */
export const RESERVOIR_TEXT_MAX = 1000;
export const QUANTILES = [0.5, 0.9, 0.99] as const;
/**
 * Rank-error bound quoted for the T-Digest quantiles, as a fraction of the count. Measured:
 * worst 0.096 % over three distributions at 10^6 values (npm run bench:sketch, δ = 100), and
 * worst 0.20 % for merged per-instance digests of demo toot lengths at 2,000-20,000 rows
 * (test/unit/live-sketches.test.ts, which fails if it ever exceeds this). Rounded up to 0.3 %.
 */
export const RANK_ERROR = 0.003;
/** Distinct uris per generation of the repeat filter (see the header comment). */
export const RECENT_GENERATION = 32_768;
/** Bumped when the stored layout or the stop-word lists change: older records are dropped. */
export const LIVE_FORMAT_VERSION = 1;

/** Hash seed of every sketch, so sketches built apart merge. */
export const SKETCH_SEED = 0x7007;
/** The merged reservoir's own randomness, fixed so a snapshot is repeatable. */
export const RESERVOIR_MERGE_SEED = 20;
