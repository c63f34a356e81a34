/**
 * The Bytewax post's simple random sample, for the live panel (issue 17): every counted post is
 * taken independently with probability `rate` (RandomSample in Bernoulli mode, 1 % to start),
 * over all instances. So memory stays bounded at any stream rate, once it holds more than CAP
 * posts it is thinned: each kept post stays with probability ½ and the rate halves, which leaves
 * a Bernoulli sample at the new rate (RandomSample.merge thins the same way). The reservoir
 * beside it is a different thing: a fixed 20, uniformly over everything seen.
 */

import type { ReservoirItem } from './protocol';
import { RandomSample, type RandomSampleJSON } from './random-sample';
import type { RandomSource } from './random';

/** 1 in START_ONE_IN posts at first. */
export const START_ONE_IN = 100;
export const SAMPLE_CAP = 200;

export class SeedSample {
  private sample: RandomSample<ReservoirItem>;

  constructor(
    private readonly random: RandomSource = Math.random,
    sample?: RandomSample<ReservoirItem>,
  ) {
    this.sample = sample ?? new RandomSample<ReservoirItem>(1, START_ONE_IN, random, 'bernoulli');
  }

  get rate(): number {
    return this.sample.rate;
  }

  /** Posts offered since the start. */
  get seen(): number {
    return this.sample.seen;
  }

  get size(): number {
    return this.sample.items.length;
  }

  /** The newest `k` posts taken, newest first. */
  newest(k: number): ReservoirItem[] {
    return this.sample.items.slice(-k).reverse();
  }

  add(item: ReservoirItem): void {
    if (!this.sample.add(item) || this.size <= SAMPLE_CAP) return;
    // An empty sample at half the rate, merged: merge thins the fuller-rate side to the lower rate.
    const half = new RandomSample<ReservoirItem>(1, Math.round(1 / this.rate) * 2, this.random, 'bernoulli');
    this.sample = half.merge(this.sample);
  }

  toJSON(): RandomSampleJSON<ReservoirItem> {
    return this.sample.toJSON();
  }

  static fromJSON(json: unknown, random: RandomSource = Math.random): SeedSample {
    return new SeedSample(random, RandomSample.fromJSON<ReservoirItem>(json, random));
  }
}
