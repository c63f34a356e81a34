import { describe, expect, it } from 'vitest';
import { TDigest } from '../../../src/core/sketch/t-digest';
import { type Distribution, numbers, rankError, rankInterval } from './fixtures';

const N = 500_000;
const QUANTILES = [0.001, 0.01, 0.5, 0.9, 0.99, 0.999];

function digestOf(xs: Float64Array, from = 0, to = xs.length): TDigest {
  const d = new TDigest(100);
  for (let i = from; i < to; i++) d.add(xs[i]!);
  return d;
}

describe.each<Distribution>(['uniform', 'lognormal', 'toot-length'])('TDigest on %s data', (dist) => {
  const xs = numbers(dist, N, dist.length);
  const sorted = xs.slice().sort();
  const digest = digestOf(xs);

  it('has rank error ≤ 1% at p50 and p99 (and the other tested quantiles)', () => {
    for (const q of QUANTILES) expect(rankError(sorted, q, digest.quantile(q)), `q=${q}`).toBeLessThanOrEqual(0.01);
    // Much tighter than the 1% target in practice; guards against silent regressions.
    expect(rankError(sorted, 0.5, digest.quantile(0.5))).toBeLessThanOrEqual(0.003);
    expect(rankError(sorted, 0.99, digest.quantile(0.99))).toBeLessThanOrEqual(0.001);
  });

  it('cdf/rank of the true quantiles is within 1%', () => {
    for (const q of QUANTILES) {
      const x = sorted[Math.floor(q * N)]!;
      const [below, atOrBelow] = rankInterval(sorted, x);
      const c = digest.cdf(x);
      const err = c < below ? below - c : c > atOrBelow ? c - atOrBelow : 0;
      expect(err, `q=${q}`).toBeLessThanOrEqual(0.01);
      expect(digest.rank(x)).toBe(c);
    }
  });

  it('knows the exact min and max and stays bounded in size', () => {
    expect(digest.quantile(0)).toBe(sorted[0]);
    expect(digest.quantile(1)).toBe(sorted[N - 1]);
    expect(digest.cdf(sorted[0]! - 1)).toBe(0);
    expect(digest.cdf(sorted[N - 1]! + 1)).toBe(1);
    expect(digest.count).toBe(N);
    expect(digest.size).toBeLessThanOrEqual(2 * digest.compression);
  });

  it('merging digests of four parts matches the union within 1%', () => {
    const parts = [0, 1, 2, 3].map((i) => digestOf(xs, (i * N) / 4, ((i + 1) * N) / 4));
    const merged = parts.reduce((a, b) => a.merge(b));
    expect(merged.count).toBe(N);
    for (const q of QUANTILES) expect(rankError(sorted, q, merged.quantile(q)), `q=${q}`).toBeLessThanOrEqual(0.01);
  });
});

describe('TDigest basics', () => {
  it('returns NaN when empty and exact values for tiny inputs', () => {
    const d = new TDigest();
    expect(d.quantile(0.5)).toBeNaN();
    expect(d.cdf(1)).toBeNaN();
    d.add(42);
    expect(d.quantile(0.3)).toBe(42);
    for (const x of [1, 2, 3, 4]) d.add(x);
    expect(d.quantile(0)).toBe(1);
    expect(d.quantile(1)).toBe(42);
    expect(d.quantile(0.5)).toBe(3);
  });

  it('treats a weighted add like repeated adds', () => {
    const weighted = new TDigest();
    const repeated = new TDigest();
    for (let v = 1; v <= 1000; v++) {
      weighted.add(v, 3);
      for (let i = 0; i < 3; i++) repeated.add(v);
    }
    expect(weighted.count).toBe(3000);
    for (const q of [0.1, 0.5, 0.9]) expect(Math.abs(weighted.quantile(q) - repeated.quantile(q))).toBeLessThan(10);
  });

  it('rejects non-finite values and bad weights', () => {
    const d = new TDigest();
    expect(() => d.add(NaN)).toThrow(RangeError);
    expect(() => d.add(Infinity)).toThrow(RangeError);
    expect(() => d.add(1, 0)).toThrow(RangeError);
    expect(() => d.quantile(1.5)).toThrow(RangeError);
  });

  it('round-trips through JSON and structured clone', () => {
    const d = digestOf(numbers('lognormal', 20_000, 7));
    for (const copy of [TDigest.fromJSON(JSON.parse(JSON.stringify(d))), TDigest.fromJSON(structuredClone(d.toJSON()))]) {
      expect(copy.equals(d)).toBe(true);
      for (const q of QUANTILES) expect(copy.quantile(q)).toBe(d.quantile(q));
      expect(copy.count).toBe(d.count);
    }
  });
});
