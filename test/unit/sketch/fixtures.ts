/**
 * Seeded synthetic streams shared by the sketch unit tests and
 * bench/sketch.ts, so both measure the same inputs.
 */
import { type RandomSource, seededRandom } from '../../../src/core/sketch/random';

/** `size` distinct pseudo-words (2–10 lowercase letters, a few accented), deterministic per seed. */
export function vocabulary(size: number, seed = 1): string[] {
  const random = seededRandom(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyzéüø';
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < size) {
    const len = 2 + Math.floor(random() * 9);
    let w = '';
    for (let i = 0; i < len; i++) w += letters[Math.floor(random() * (i === 0 ? 26 : letters.length))];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

/**
 * `length` words drawn from a Zipf(s) law over `vocab` (rank 1 = vocab[0]) by
 * inverse-CDF lookup: P(rank r) ∝ r^−s.
 */
export function zipfStream(vocab: readonly string[], length: number, s = 1.1, seed = 2): string[] {
  const random = seededRandom(seed);
  const cdf = new Float64Array(vocab.length);
  let acc = 0;
  for (let r = 0; r < vocab.length; r++) cdf[r] = acc += (r + 1) ** -s;
  const out = new Array<string>(length);
  for (let i = 0; i < length; i++) {
    const u = random() * acc;
    let lo = 0;
    let hi = vocab.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = vocab[lo]!;
  }
  return out;
}

export function exactCounts(stream: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of stream) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Exact top k by count (ties broken by key, as TopK.top does). */
export function exactTop(counts: Map<string, number>, k: number): Array<{ key: string; count: number }> {
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
    .slice(0, k);
}

/** Standard normal via Box–Muller (one of the pair; simplicity over speed). */
function normal(random: RandomSource): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export type Distribution = 'uniform' | 'lognormal' | 'toot-length';

/**
 * Numeric streams for t-digest tests. 'toot-length' mimics post lengths in
 * characters: integers (heavy ties), most posts lognormal around 120 chars
 * capped at the default 500 limit (a point mass at 500), plus a Pareto tail
 * from instances with higher limits, up to 70,000.
 */
export function numbers(dist: Distribution, length: number, seed = 3): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    if (dist === 'uniform') out[i] = random();
    else if (dist === 'lognormal') out[i] = Math.exp(normal(random));
    else if (random() < 0.85) out[i] = Math.max(1, Math.min(500, Math.round(Math.exp(Math.log(120) + 0.9 * normal(random)))));
    else out[i] = Math.min(70_000, Math.round(500 / (1 - random()) ** (1 / 1.2)));
  }
  return out;
}

/**
 * Rank error of an estimated q-quantile x against sorted data: the distance
 * from q to the interval [fraction < x, fraction ≤ x]. Using the interval
 * makes ties (integer toot lengths) count as exact rather than as error.
 */
export function rankError(sorted: Float64Array, q: number, x: number): number {
  const [below, atOrBelow] = rankInterval(sorted, x);
  return q < below ? below - q : q > atOrBelow ? q - atOrBelow : 0;
}

/** [fraction of values < x, fraction ≤ x]. */
export function rankInterval(sorted: Float64Array, x: number): [number, number] {
  const n = sorted.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return [below / n, lo / n];
}
