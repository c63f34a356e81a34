import { describe, expect, it } from 'vitest';
import { Reservoir } from '../../../src/core/sketch/reservoir';
import { type RandomSource, randomIndex, seededRandom } from '../../../src/core/sketch/random';
import { chiSquareQuantile } from './stats';

const ALPHA = 0.001;

/**
 * Inclusion counts of N items over R fixed-size-k samples. Each count has
 * variance R·p(1−p) (p = k/N) and pairs covary by −R·p(1−p)/(N−1) because
 * every sample holds exactly k items, so (N−1)/N · Σ(O−E)²/(R·p(1−p)) is
 * χ² with N−1 degrees of freedom under uniform sampling.
 */
function fixedSizeChiSquare(counts: Float64Array, runs: number, k: number): number {
  const n = counts.length;
  const p = k / n;
  const expected = runs * p;
  let sum = 0;
  for (const c of counts) sum += (c - expected) ** 2;
  return ((n - 1) / n) * (sum / (runs * p * (1 - p)));
}

function inclusionCounts(n: number, runs: number, sample: (random: RandomSource) => number[]): Float64Array {
  const random = seededRandom(2024);
  const counts = new Float64Array(n);
  for (let r = 0; r < runs; r++) for (const item of sample(random)) counts[item]!++;
  return counts;
}

describe('chi-square critical values', () => {
  it('match published tables', () => {
    expect(chiSquareQuantile(0.95, 1)).toBeCloseTo(3.841, 3);
    expect(chiSquareQuantile(0.999, 19)).toBeCloseTo(43.82, 2);
    expect(chiSquareQuantile(0.999, 39)).toBeCloseTo(72.055, 2);
  });
});

describe('Reservoir', () => {
  const N = 20;
  const k = 5;
  const runs = 20_000;
  const critical = chiSquareQuantile(1 - ALPHA, N - 1);

  it('includes every item with probability k/N (chi-square over seeded runs)', () => {
    const counts = inclusionCounts(N, runs, (random) => {
      const r = new Reservoir<number>(k, random);
      for (let i = 0; i < N; i++) r.add(i);
      expect(r.size).toBe(k);
      return r.items;
    });
    expect(fixedSizeChiSquare(counts, runs, k)).toBeLessThan(critical);
  });

  it('the same test rejects a subtly biased sampler (so it has power)', () => {
    // Classic off-by-one: replacing with probability k/(n−1) instead of k/n over-samples late items.
    const counts = inclusionCounts(N, runs, (random) => {
      const sample: number[] = [];
      for (let i = 0; i < N; i++) {
        if (i < k) sample.push(i);
        else {
          const j = randomIndex(random, i);
          if (j < k) sample[j] = i;
        }
      }
      return sample;
    });
    expect(fixedSizeChiSquare(counts, runs, k)).toBeGreaterThan(critical);
  });

  it('merging reservoirs of unequal streams is uniform over the union', () => {
    const total = 40;
    const counts = inclusionCounts(total, runs, (random) => {
      const a = new Reservoir<number>(k, random);
      const b = new Reservoir<number>(k, random);
      for (let i = 0; i < 30; i++) a.add(i);
      for (let i = 30; i < total; i++) b.add(i);
      const merged = a.merge(b);
      expect(merged.seen).toBe(total);
      return merged.items;
    });
    expect(fixedSizeChiSquare(counts, runs, k)).toBeLessThan(chiSquareQuantile(1 - ALPHA, total - 1));
  });

  it('merges small streams without losing items and keeps sampling uniformly afterwards', () => {
    const counts = inclusionCounts(N, runs, (random) => {
      const a = new Reservoir<number>(k, random);
      const b = new Reservoir<number>(k, random);
      a.add(0);
      a.add(1);
      for (let i = 2; i < 5; i++) b.add(i);
      const merged = a.merge(b);
      expect(merged.items.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4]);
      for (let i = 5; i < N; i++) merged.add(i);
      return merged.items;
    });
    expect(fixedSizeChiSquare(counts, runs, k)).toBeLessThan(critical);
  });

  it('round-trips through JSON and structured clone', () => {
    const r = new Reservoir<{ id: string }>(10, seededRandom(1));
    for (let i = 0; i < 1000; i++) r.add({ id: `toot-${i}` });
    const json = r.toJSON();
    for (const copy of [Reservoir.fromJSON<{ id: string }>(JSON.parse(JSON.stringify(r))), Reservoir.fromJSON<{ id: string }>(structuredClone(json))]) {
      expect(copy.toJSON()).toEqual(json);
      expect(copy.seen).toBe(1000);
    }
    expect(() => Reservoir.fromJSON({ ...json, items: [] })).toThrow(RangeError);
  });
});
