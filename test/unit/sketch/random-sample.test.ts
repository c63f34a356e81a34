import { describe, expect, it } from 'vitest';
import { RandomSample } from '../../../src/core/sketch/random-sample';
import { type RandomSource, seededRandom } from '../../../src/core/sketch/random';
import { chiSquareQuantile } from './stats';

const ALPHA = 0.001;
const RUNS = 20_000;

function inclusionCounts(n: number, sample: (random: RandomSource) => number[]): Float64Array {
  const random = seededRandom(7);
  const counts = new Float64Array(n);
  for (let r = 0; r < RUNS; r++) for (const item of sample(random)) counts[item]!++;
  return counts;
}

/**
 * Σ(O−E)²/(R·p(1−p)) over items. With independent inclusions (Bernoulli) it
 * is χ²_N; with a fixed sample size the counts are negatively correlated and
 * (N−1)/N times it is χ²_{N−1} (see reservoir.test.ts).
 */
function statistic(counts: Float64Array, p: number, fixedSize: boolean): { value: number; df: number } {
  const n = counts.length;
  let sum = 0;
  for (const c of counts) sum += (c - RUNS * p) ** 2;
  const raw = sum / (RUNS * p * (1 - p));
  return fixedSize ? { value: ((n - 1) / n) * raw, df: n - 1 } : { value: raw, df: n };
}

function expectUniform(counts: Float64Array, p: number, fixedSize: boolean): void {
  const { value, df } = statistic(counts, p, fixedSize);
  expect(value).toBeLessThan(chiSquareQuantile(1 - ALPHA, df));
}

describe('RandomSample (sequential)', () => {
  it('takes exactly n of N, each item with probability n/N', () => {
    const counts = inclusionCounts(20, (random) => {
      const s = new RandomSample<number>(5, 20, random);
      for (let i = 0; i < 20; i++) s.add(i);
      expect(s.items).toHaveLength(5);
      return s.items;
    });
    expectUniform(counts, 5 / 20, true);
  });

  it('merges equal-rate samples into an equal-probability sample of the union', () => {
    const counts = inclusionCounts(30, (random) => {
      const a = new RandomSample<number>(2, 10, random);
      const b = new RandomSample<number>(4, 20, random);
      for (let i = 0; i < 10; i++) a.add(i);
      for (let i = 10; i < 30; i++) b.add(i);
      const merged = a.merge(b);
      expect([merged.n, merged.N, merged.items.length]).toEqual([6, 30, 6]);
      return merged.items;
    });
    expectUniform(counts, 0.2, true);
    expect(() => new RandomSample(1, 10).merge(new RandomSample(1, 20))).toThrow(RangeError);
  });

  it('refuses items beyond the declared population', () => {
    const s = new RandomSample<number>(1, 2, seededRandom(1));
    s.add(1);
    s.add(2);
    expect(() => s.add(3)).toThrow(RangeError);
  });
});

describe('RandomSample (bernoulli)', () => {
  it('includes each item independently with probability n/N', () => {
    const counts = inclusionCounts(25, (random) => {
      const s = new RandomSample<number>(5, 25, random, 'bernoulli');
      for (let i = 0; i < 25; i++) s.add(i);
      return s.items;
    });
    expectUniform(counts, 0.2, false);
  });

  it('merging different rates thins the denser side down to the lower rate', () => {
    const counts = inclusionCounts(30, (random) => {
      const a = new RandomSample<number>(5, 10, random, 'bernoulli'); // rate 0.5
      const b = new RandomSample<number>(4, 20, random, 'bernoulli'); // rate 0.2
      for (let i = 0; i < 10; i++) a.add(i);
      for (let i = 10; i < 30; i++) b.add(i);
      const merged = a.merge(b);
      expect(merged.rate).toBeCloseTo(0.2, 12);
      return merged.items;
    });
    expectUniform(counts, 0.2, false);
  });
});

describe('RandomSample serialisation', () => {
  it('round-trips through JSON and structured clone, and continues the same way', () => {
    const s = new RandomSample<string>(10, 100, seededRandom(3));
    for (let i = 0; i < 60; i++) s.add(`toot-${i}`);
    const json = s.toJSON();
    for (const copy of [RandomSample.fromJSON<string>(JSON.parse(JSON.stringify(s))), RandomSample.fromJSON<string>(structuredClone(json))]) {
      expect(copy.toJSON()).toEqual(json);
      expect(copy.mode).toBe('sequential');
    }
    const a = RandomSample.fromJSON<string>(json, seededRandom(9));
    const b = RandomSample.fromJSON<string>(json, seededRandom(9));
    for (let i = 60; i < 100; i++) {
      a.add(`toot-${i}`);
      b.add(`toot-${i}`);
    }
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.items).toHaveLength(10);
  });
});
