import { describe, expect, it } from 'vitest';
import { TopK } from '../../../src/core/sketch/top-k';
import { exactCounts, exactTop, vocabulary, zipfStream } from './fixtures';

// The workload the live "top words" panel sees, compressed: Zipf(1.1) over 50k words.
const vocab = vocabulary(50_000);
const stream = zipfStream(vocab, 1_000_000, 1.1);
const truth = exactCounts(stream);
const top25 = exactTop(truth, 25);

function build(words: readonly string[]): TopK {
  const t = new TopK(25, 0.99, 0.002);
  for (let i = 0; i < words.length; i++) t.update(words[i]!);
  return t;
}

describe('TopK', () => {
  const full = build(stream);

  it('recovers the true top 25 of a zipf(1.1) stream of 10^6 words', () => {
    const got = full.top();
    expect(got).toHaveLength(25);
    expect(new Set(got.map((e) => e.key))).toEqual(new Set(top25.map((e) => e.key)));
    for (let i = 1; i < got.length; i++) expect(got[i - 1]!.count).toBeGreaterThanOrEqual(got[i]!.count);
  });

  it('reports counts between the true count and true + tolerance·N', () => {
    const bound = full.sketch.tolerance * full.total;
    for (const { key, count } of full.top()) {
      const exact = truth.get(key)!;
      expect(count).toBeGreaterThanOrEqual(exact);
      expect(count - exact).toBeLessThanOrEqual(bound);
    }
  });

  it('keeps exact counts when nothing collides', () => {
    const t = new TopK(3);
    for (const [w, n] of [['a', 5], ['b', 3], ['c', 4], ['d', 1], ['e', 2]] as const) {
      for (let i = 0; i < n; i++) t.update(w);
    }
    t.update('b', 10);
    expect(t.top()).toEqual([
      { key: 'b', count: 13 },
      { key: 'a', count: 5 },
      { key: 'c', count: 4 },
    ]);
  });

  it('merging sketches of two halves gives the top 25 of the union', () => {
    const cut = 400_000;
    const merged = build(stream.slice(0, cut)).merge(build(stream.slice(cut)));
    expect(merged.total).toBe(stream.length);
    const got = merged.top();
    expect(new Set(got.map((e) => e.key))).toEqual(new Set(top25.map((e) => e.key)));
    const bound = merged.sketch.tolerance * merged.total;
    for (const { key, count } of got) {
      expect(count).toBeGreaterThanOrEqual(truth.get(key)!);
      expect(count - truth.get(key)!).toBeLessThanOrEqual(bound);
    }
  });

  it('round-trips through JSON and keeps behaving identically', () => {
    const a = build(stream.slice(0, 50_000));
    const b = TopK.fromJSON(JSON.parse(JSON.stringify(a)));
    const c = TopK.fromJSON(structuredClone(a.toJSON()));
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(true);
    for (const w of stream.slice(50_000, 100_000)) {
      a.update(w);
      b.update(w);
    }
    expect(b.equals(a)).toBe(true);
    expect(b.top()).toEqual(a.top());
  });
});
