/**
 * Seeded randomness for the demo generator. Everything here must be reproducible from a seed
 * (tests and benchmarks compare runs) and cheap enough for ≥ 50k statuses/s, so no crypto and
 * no allocation per draw.
 */

/** 32-bit string/number hash (FNV-1a + avalanche) to derive independent seeds from one seed. */
export function hash32(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = typeof part === 'number' ? String(part) : part;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x2f; // part separator so ('ab','c') ≠ ('a','bc')
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Avalanche of one 32-bit integer (murmur3 finaliser): cheap numeric sub-seeds on hot paths. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * sfc32: 128-bit state, passes PractRand far beyond what a demo needs, and is a few integer ops
 * per draw. mulberry32 would do too, but its 32-bit state makes sub-streams collide sooner.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    const s = typeof seed === 'number' ? seed >>> 0 : hash32(seed);
    this.a = mix32(s ^ 0x9e3779b9);
    this.b = mix32(s + 0x7f4a7c15);
    this.c = mix32(s ^ 0x3c6ef372);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32(); // discard the weakly mixed start
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal (Box–Muller; one value per call keeps the stream position simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean: inter-arrival times of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Pareto(xm, alpha): the heavy tails of post lengths and follower counts. */
  pareto(xm: number, alpha: number): number {
    return xm / Math.pow(1 - this.next(), 1 / alpha);
  }

  /** Lowercase hex string of n digits (avatar file names, client secrets). */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.nextU32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
}

/** Index of the first CDF entry ≥ u: a binary search, so sampling is O(log n) with no allocation. */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cdf[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Samples indices 0..n-1 with arbitrary weights. */
export class WeightedSampler {
  private readonly cdf: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new RangeError('WeightedSampler needs at least one weight');
    this.cdf = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      sum += Math.max(0, weights[i] as number);
      this.cdf[i] = sum;
    }
    if (!(sum > 0)) throw new RangeError('WeightedSampler needs a positive total weight');
    for (let i = 0; i < this.cdf.length; i++) (this.cdf[i] as number) /= sum;
    this.cdf[this.cdf.length - 1] = 1;
  }

  get size(): number {
    return this.cdf.length;
  }

  /** Probability of index i (for tests and for sizing expectations). */
  probability(i: number): number {
    const hi = this.cdf[i] ?? 0;
    const lo = i > 0 ? (this.cdf[i - 1] ?? 0) : 0;
    return hi - lo;
  }

  sample(rng: Rng): number {
    return searchCdf(this.cdf, rng.next());
  }

  /** The index for a given uniform u in [0, 1): a stable choice from a stored number. */
  sampleAt(u: number): number {
    return searchCdf(this.cdf, u);
  }
}

/** Zipf over ranks 0..n-1: P(rank k) ∝ 1/(k+1)^s — who posts, which instance, which hashtag. */
export class ZipfSampler extends WeightedSampler {
  constructor(n: number, s: number) {
    const w = new Float64Array(n);
    for (let k = 0; k < n; k++) w[k] = 1 / Math.pow(k + 1, s);
    super(w);
  }
}

/** Weighted pick over `[item, weight]` pairs, sampler built once. */
export class WeightedPicker<T> {
  private readonly items: readonly T[];
  private readonly sampler: WeightedSampler;

  constructor(pairs: ReadonlyArray<readonly [T, number]>) {
    this.items = pairs.map((p) => p[0]);
    this.sampler = new WeightedSampler(pairs.map((p) => p[1]));
  }

  pick(rng: Rng): T {
    return this.items[this.sampler.sample(rng)] as T;
  }

  pickAt(u: number): T {
    return this.items[this.sampler.sampleAt(u)] as T;
  }
}
