/**
 * Uniform reservoir sample of at most k items from a stream of unknown length
 * (Vitter's Algorithm R), e.g. "show 50 random toots from the last hour".
 *
 * Algorithm R rather than L: L skips ahead using a hidden running threshold
 * W, which would have to be re-derived (as a Beta(k, n−k+1) draw) after every
 * merge or restore. R's only state is the seen count, so merged and restored
 * reservoirs keep sampling correctly; at one random draw per item it is still
 * far cheaper than anything else done per toot.
 */

import { checkHeader } from './codec';
import { type RandomSource, randomIndex } from './random';

export interface ReservoirJSON<T> {
  type: 'reservoir';
  version: 1;
  k: number;
  seen: number;
  items: T[];
}

export class Reservoir<T> {
  readonly k: number;
  private seenCount = 0;
  private sample: T[] = [];
  private readonly random: RandomSource;

  constructor(k: number, random: RandomSource = Math.random) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.k = k;
    this.random = random;
  }

  /** Number of items offered so far. */
  get seen(): number {
    return this.seenCount;
  }

  /** The current sample (a copy; order is not meaningful). */
  get items(): T[] {
    return this.sample.slice();
  }

  get size(): number {
    return this.sample.length;
  }

  /** Offers an item; returns whether it entered the sample. */
  add(item: T): boolean {
    const n = ++this.seenCount;
    if (n <= this.k) {
      this.sample.push(item);
      return true;
    }
    // Item n replaces a random slot with probability k/n.
    const j = randomIndex(this.random, n);
    if (j < this.k) {
      this.sample[j] = item;
      return true;
    }
    return false;
  }

  /**
   * Replaces this sample with a uniform sample of the union of both streams
   * (which must be disjoint). Drawing k times without replacement from the
   * union population, a draw comes from A with probability
   * (A's remaining population)/(remaining union), and then takes a not yet
   * used item of A's reservoir: since A's reservoir is a uniform sample of A,
   * this yields exactly a uniform k-sample of A ∪ B. Uses this reservoir's
   * random source.
   */
  merge(other: Reservoir<T>): this {
    if (other.k !== this.k) throw new RangeError(`cannot merge reservoir of k=${other.k} into k=${this.k}`);
    const a = this.sample.slice();
    const b = other.sample.slice();
    let popA = this.seenCount;
    let popB = other.seenCount;
    const want = Math.min(this.k, popA + popB);
    const out: T[] = [];
    for (let d = 0; d < want; d++) {
      const fromA = this.random() * (popA + popB) < popA;
      const pool = fromA ? a : b;
      // Swap-remove a random unused item: O(1) and keeps the pool uniform.
      const j = randomIndex(this.random, pool.length);
      out.push(pool[j]!);
      pool[j] = pool[pool.length - 1]!;
      pool.pop();
      if (fromA) popA--;
      else popB--;
    }
    this.sample = out;
    this.seenCount += other.seenCount;
    return this;
  }

  toJSON(): ReservoirJSON<T> {
    return { type: 'reservoir', version: 1, k: this.k, seen: this.seenCount, items: this.sample.slice() };
  }

  /** Items must themselves survive JSON/structured clone; the random source is not serialised. */
  static fromJSON<T>(json: unknown, random: RandomSource = Math.random): Reservoir<T> {
    const obj = checkHeader(json, 'reservoir', 1) as unknown as ReservoirJSON<T>;
    if (obj.items.length !== Math.min(obj.k, obj.seen)) throw new RangeError('reservoir: item count does not match k/seen');
    const r = new Reservoir<T>(obj.k, random);
    r.seenCount = obj.seen;
    r.sample = obj.items.slice();
    return r;
  }
}
