/** Streaming sketches: bounded-memory summaries of unbounded toot streams. Pure TS, no DOM. */
export { hash64, hash64Hex } from './hash';
export { type RandomSource, seededRandom, randomIndex } from './random';
export { CountMinSketch, type CountMinOptions, type CountMinJSON } from './count-min';
export { TopK, type TopKEntry, type TopKJSON } from './top-k';
export { HyperLogLog, type HyperLogLogJSON, MIN_PRECISION, MAX_PRECISION } from './hyperloglog';
export { TDigest, type TDigestJSON } from './t-digest';
export { Reservoir, type ReservoirJSON } from './reservoir';
export { RandomSample, type RandomSampleJSON, type SampleMode } from './random-sample';
export { tokenize, ENGLISH_STOP_WORDS, type TokenizeOptions } from './tokenize';
