import { describe, expect, it } from 'vitest';
import { hash64, hash64Hex } from '../../../src/core/sketch/hash';
import { chiSquareQuantile } from './stats';

describe('hash64', () => {
  it('is deterministic and depends on key, order and seed', () => {
    expect(hash64Hex('mastodon')).toBe(hash64Hex('mastodon'));
    expect(hash64Hex('ab')).not.toBe(hash64Hex('ba'));
    expect(hash64Hex('mastodon', 1)).not.toBe(hash64Hex('mastodon'));
    expect(hash64Hex('')).not.toBe(hash64Hex('\u0000'));
    expect(hash64Hex('a')).not.toBe(hash64Hex('a\u0000'));
    expect(hash64Hex('')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('has no 64-bit collisions over 10^6 similar keys', () => {
    const out = new Uint32Array(2);
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) {
      hash64(`user${i}`, out);
      seen.add(`${out[0]}:${out[1]}`);
    }
    // Expected collisions ≈ n²/2^65 ≈ 3e-8: any collision means a weak hash.
    expect(seen.size).toBe(1_000_000);
  });

  it('spreads sequential keys uniformly over buckets in every bit range (chi-square, α = 0.001)', () => {
    const n = 200_000;
    const buckets = 1024;
    const out = new Uint32Array(2);
    // Low bits of each lane (Count-Min rows) and top bits (HyperLogLog register index).
    const views: Array<(h: Uint32Array) => number> = [
      (h) => h[0]! & 1023,
      (h) => h[1]! & 1023,
      (h) => h[0]! >>> 22,
      (h) => h[1]! >>> 22,
    ];
    const critical = chiSquareQuantile(0.999, buckets - 1);
    for (const view of views) {
      const counts = new Float64Array(buckets);
      for (let i = 0; i < n; i++) {
        hash64(`k${i}`, out);
        counts[view(out)]!++;
      }
      const expected = n / buckets;
      let chi2 = 0;
      for (const c of counts) chi2 += (c - expected) ** 2 / expected;
      expect(chi2).toBeLessThan(critical);
    }
  });

  it('avalanches: changing one character flips about half of the 64 bits', () => {
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    const popcount = (x: number): number => {
      let c = 0;
      for (; x; x &= x - 1) c++;
      return c;
    };
    let flipped = 0;
    const trials = 20_000;
    for (let i = 0; i < trials; i++) {
      const key = `word-${i}-x`;
      hash64(key, a);
      hash64(key.slice(0, -1) + 'y', b);
      flipped += popcount((a[0]! ^ b[0]!) >>> 0) + popcount((a[1]! ^ b[1]!) >>> 0);
    }
    // Mean of Binomial(64, ½) is 32 with σ = 4/√trials ≈ 0.03 for the average.
    expect(flipped / trials).toBeGreaterThan(31.7);
    expect(flipped / trials).toBeLessThan(32.3);
  });
});
