import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../../../src/core/sketch/hyperloglog';

function filled(n: number, prefix: string, p = 14): HyperLogLog {
  const h = new HyperLogLog(p);
  for (let i = 0; i < n; i++) h.add(prefix + i);
  return h;
}

describe('HyperLogLog', () => {
  it('derives precision from the error rate and clamps it to 4..18', () => {
    expect(HyperLogLog.precisionFor(0.01)).toBe(14); // (1.04/0.01)² = 10816 → 2^14
    expect(HyperLogLog.precisionFor(0.02)).toBe(12);
    expect(HyperLogLog.precisionFor(0.0001)).toBe(18);
    expect(HyperLogLog.precisionFor(0.9)).toBe(4);
    const h = HyperLogLog.fromError(0.01);
    expect(h.m).toBe(16384);
    expect(h.relativeError).toBeCloseTo(1.04 / 128, 12);
  });

  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    it(`counts ${n.toLocaleString('en')} distinct keys within 3σ of the stated error`, () => {
      const h = filled(n, `n${n}-`);
      expect(Math.abs(h.count() / n - 1)).toBeLessThan(3 * h.relativeError);
    });
  }

  it('is exact-ish for tiny cardinalities (linear-counting regime) and 0 when empty', () => {
    expect(new HyperLogLog(14).count()).toBe(0);
    for (const n of [1, 2, 10, 100]) {
      expect(Math.abs(filled(n, 'tiny-').count() - n)).toBeLessThan(0.5);
    }
  });

  it('ignores duplicates', () => {
    const h = filled(5_000, 'dup-');
    const before = h.toJSON();
    for (let i = 0; i < 5_000; i++) h.add(`dup-${i}`);
    expect(h.toJSON()).toEqual(before);
  });

  it('merge of overlapping streams equals the sketch of their union exactly', () => {
    const a = new HyperLogLog(12);
    const b = new HyperLogLog(12);
    const union = new HyperLogLog(12);
    for (let i = 0; i < 60_000; i++) {
      a.add(`u${i}`);
      union.add(`u${i}`);
    }
    for (let i = 40_000; i < 100_000; i++) {
      b.add(`u${i}`);
      union.add(`u${i}`);
    }
    const merged = a.clone().merge(b);
    expect(merged.equals(union)).toBe(true);
    expect(Math.abs(merged.count() / 100_000 - 1)).toBeLessThan(3 * merged.relativeError);
    expect(() => a.merge(new HyperLogLog(13))).toThrow(RangeError);
  });

  it('round-trips through JSON and structured clone', () => {
    const h = filled(20_000, 'rt-', 10);
    for (const copy of [HyperLogLog.fromJSON(JSON.parse(JSON.stringify(h))), HyperLogLog.fromJSON(structuredClone(h.toJSON()))]) {
      expect(copy.equals(h)).toBe(true);
      expect(copy.count()).toBe(h.count());
    }
  });
});
