import { describe, expect, it } from 'vitest';
import { CountMinSketch } from '../../../src/core/sketch/count-min';
import { exactCounts, vocabulary, zipfStream } from './fixtures';

const vocab = vocabulary(20_000, 11);
const stream = zipfStream(vocab, 200_000, 1.1, 12);
const truth = exactCounts(stream);

function build(words: readonly string[], conservative: boolean): CountMinSketch {
  const cms = CountMinSketch.fromError(0.002, 0.99, { conservative });
  for (const w of words) cms.update(w);
  return cms;
}

describe('CountMinSketch', () => {
  it('sizes from (tolerance, probability) as width = 2^⌈log2(2/ε)⌉, depth = ⌈ln(1−p)/ln ½⌉', () => {
    const a = CountMinSketch.fromError(0.002, 0.99);
    expect([a.width, a.depth]).toEqual([1024, 7]);
    const b = CountMinSketch.fromError(0.01, 0.999);
    expect([b.width, b.depth]).toEqual([256, 10]);
    const c = CountMinSketch.fromError(0.5, 0.5);
    expect([c.width, c.depth]).toEqual([4, 1]);
    expect(() => new CountMinSketch(1000, 4)).toThrow(RangeError);
  });

  for (const conservative of [true, false]) {
    it(`never undercounts and stays within tolerance·N with the stated probability (conservative=${conservative})`, () => {
      const cms = build(stream, conservative);
      expect(cms.total).toBe(stream.length);
      const bound = cms.tolerance * cms.total;
      let outside = 0;
      for (const [word, count] of truth) {
        const est = cms.estimate(word);
        expect(est).toBeGreaterThanOrEqual(count);
        if (est - count > bound) outside++;
      }
      expect(outside / truth.size).toBeLessThanOrEqual(1 - cms.probability);
      expect(cms.estimate('never-seen-word')).toBeLessThanOrEqual(bound);
    });
  }

  it('conservative update overestimates much less on a skewed stream', () => {
    const cons = build(stream, true);
    const plain = build(stream, false);
    let overCons = 0;
    let overPlain = 0;
    for (const [word, count] of truth) {
      overCons += cons.estimate(word) - count;
      overPlain += plain.estimate(word) - count;
    }
    expect(overCons).toBeLessThan(overPlain / 2);
  });

  it('update returns the new estimate and honours weighted counts', () => {
    const cms = new CountMinSketch(256, 4);
    expect(cms.update('a', 5)).toBe(5);
    expect(cms.update('a')).toBe(6);
    expect(cms.estimate('a')).toBe(6);
    expect(cms.total).toBe(6);
    expect(() => cms.update('a', -1)).toThrow(RangeError);
  });

  it('merge without conservative update equals the sketch of the union exactly', () => {
    const half = stream.length / 2;
    const a = build(stream.slice(0, half), false);
    const b = build(stream.slice(half), false);
    expect(a.merge(b).equals(build(stream, false))).toBe(true);
  });

  it('merge with conservative update is an upper bound, no looser than a plain sketch of the union', () => {
    const half = stream.length / 2;
    const a = build(stream.slice(0, half), true);
    const b = build(stream.slice(half), true);
    const merged = a.clone().merge(b);
    const plainUnion = build(stream, false);
    const bound = merged.tolerance * merged.total;
    let outside = 0;
    for (const [word, count] of truth) {
      const est = merged.estimate(word);
      expect(est).toBeGreaterThanOrEqual(count);
      // Conservative cells never exceed plain ones, so neither can their sums.
      expect(est).toBeLessThanOrEqual(plainUnion.estimate(word));
      if (est - count > bound) outside++;
    }
    expect(outside / truth.size).toBeLessThanOrEqual(1 - merged.probability);
  });

  it('refuses to merge sketches of different shape or seed', () => {
    expect(() => new CountMinSketch(256, 4).merge(new CountMinSketch(512, 4))).toThrow(RangeError);
    expect(() => new CountMinSketch(256, 4).merge(new CountMinSketch(256, 4, { seed: 1 }))).toThrow(RangeError);
  });

  it('round-trips through JSON text and structured clone', () => {
    const cms = build(stream.slice(0, 10_000), true);
    const viaText = CountMinSketch.fromJSON(JSON.parse(JSON.stringify(cms)));
    const viaClone = CountMinSketch.fromJSON(structuredClone(cms.toJSON()));
    for (const copy of [viaText, viaClone]) {
      expect(copy.equals(cms)).toBe(true);
      expect(copy.conservative).toBe(true);
      expect(copy.estimate(stream[0]!)).toBe(cms.estimate(stream[0]!));
    }
    expect(() => CountMinSketch.fromJSON({ ...cms.toJSON(), type: 'hyperloglog' })).toThrow(TypeError);
  });
});
