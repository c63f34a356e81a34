/**
 * Simple random sample of n out of a population of N items seen as a stream
 * (e.g. sample 1% of a timeline for manual labelling).
 *
 * Two modes:
 * - 'sequential' (Knuth's Algorithm S / Fan et al. selection sampling): item t
 *   is taken with probability (n − taken)/(N − t). N must be known, and the
 *   result has exactly n items, every n-subset equally likely.
 * - 'bernoulli': each item is taken independently with probability n/N. The
 *   size is Binomial(N, n/N), but N may be only an estimate and the stream
 *   may run past it; unlike a reservoir it needs no state besides the rate.
 */

import { checkHeader } from './codec';
import type { RandomSource } from './random';

export type SampleMode = 'sequential' | 'bernoulli';

export interface RandomSampleJSON<T> {
  type: 'random-sample';
  version: 1;
  mode: SampleMode;
  n: number;
  population: number;
  seen: number;
  items: T[];
}

export class RandomSample<T> {
  readonly mode: SampleMode;
  private target: number;
  private population: number;
  private seenCount = 0;
  private sample: T[] = [];
  private readonly random: RandomSource;

  /**
   * @param n sample size wanted
   * @param N population size (for 'bernoulli', may be an estimate)
   */
  constructor(n: number, N: number, random: RandomSource = Math.random, mode: SampleMode = 'sequential') {
    if (!(Number.isInteger(n) && Number.isInteger(N) && n >= 0 && N >= n && N > 0)) {
      throw new RangeError(`need integers 0 ≤ n ≤ N, N > 0; got n=${n}, N=${N}`);
    }
    this.target = n;
    this.population = N;
    this.random = random;
    this.mode = mode;
  }

  /** Inclusion probability of every item. */
  get rate(): number {
    return this.target / this.population;
  }

  get n(): number {
    return this.target;
  }

  get N(): number {
    return this.population;
  }

  get seen(): number {
    return this.seenCount;
  }

  /** The items taken so far, in stream order. */
  get items(): T[] {
    return this.sample.slice();
  }

  /** Offers the next item of the population; returns whether it was taken. */
  add(item: T): boolean {
    let take: boolean;
    if (this.mode === 'bernoulli') {
      take = this.random() < this.rate;
    } else {
      if (this.seenCount >= this.population) {
        throw new RangeError(`sequential sample: population of ${this.population} already exhausted`);
      }
      const remaining = this.population - this.seenCount;
      take = this.random() * remaining < this.target - this.sample.length;
    }
    this.seenCount++;
    if (take) this.sample.push(item);
    return take;
  }

  /**
   * Combines samples of two disjoint populations (in place).
   *
   * Bernoulli: the union of two rate-r samples is a rate-r sample of the
   * union; if rates differ, the higher-rate side is thinned (each item kept
   * with probability low/high) so every item ends with the lower rate.
   * Sequential: both must have the same n/N; the result is a stratified
   * sample with the same inclusion probability for every item and exactly
   * n_a + n_b items, and keeps selecting correctly if more items follow.
   */
  merge(other: RandomSample<T>): this {
    if (other.mode !== this.mode) throw new RangeError(`cannot merge a ${other.mode} sample into a ${this.mode} sample`);
    if (this.mode === 'sequential') {
      if (this.target * other.population !== other.target * this.population) {
        throw new RangeError(`sequential samples need equal rates to merge: ${this.rate} vs ${other.rate}`);
      }
      this.sample = this.sample.concat(other.sample);
      this.target += other.target;
      this.population += other.population;
      this.seenCount += other.seenCount;
      return this;
    }
    const low = Math.min(this.rate, other.rate);
    const thin = (items: T[], rate: number): T[] => {
      if (rate === low) return items.slice();
      const keep = low / rate;
      return items.filter(() => this.random() < keep);
    };
    const mine = thin(this.sample, this.rate);
    const theirs = thin(other.sample, other.rate);
    const seen = this.seenCount + other.seenCount;
    this.population += other.population;
    // Preserve the (possibly thinned) rate exactly as n/N; bernoulli n need not be an integer.
    this.target = low * this.population;
    this.sample = mine.concat(theirs);
    this.seenCount = seen;
    return this;
  }

  toJSON(): RandomSampleJSON<T> {
    return {
      type: 'random-sample',
      version: 1,
      mode: this.mode,
      n: this.target,
      population: this.population,
      seen: this.seenCount,
      items: this.sample.slice(),
    };
  }

  static fromJSON<T>(json: unknown, random: RandomSource = Math.random): RandomSample<T> {
    const obj = checkHeader(json, 'random-sample', 1) as unknown as RandomSampleJSON<T>;
    const s = new RandomSample<T>(0, obj.population, random, obj.mode);
    s.target = obj.n;
    s.seenCount = obj.seen;
    s.sample = obj.items.slice();
    return s;
  }
}
