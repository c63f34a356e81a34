import { describe, expect, it } from 'vitest';
import { SEED_K, SeedWords, seedTokens } from '../../../src/core/sketch/seed-words';
import { SAMPLE_CAP, SeedSample, START_ONE_IN } from '../../../src/core/sketch/seed-sample';
import { LiveSketches } from '../../../src/core/sketch/live-sketches';
import { seededRandom } from '../../../src/core/sketch/random';
import type { LiveRow } from '../../../src/core/sketch/protocol';

/** The Bytewax post's top words (issue 17): English only, links/mentions/hashtags out, TopK(25, .99, .002). */
describe('the seed’s top words', () => {
  it('count English posts only, without links, mentions, hashtags or stop words', () => {
    expect(seedTokens('Reading #RustLang news at https://example.com/x with @alice@a.example and @bob, the best')).toEqual(
      ['reading', 'news', 'best'],
    );
    const s = new SeedWords();
    s.add({ lang: 'en', text: 'coffee coffee #coffee https://coffee.example' });
    s.add({ lang: 'de', text: 'kaffee kaffee kaffee' });
    expect(s.words().map((e) => [e.key, e.count])).toEqual([['coffee', 2]]);
    expect([s.posts, s.skipped]).toEqual([1, 1]);
  });

  it('are sized as the seed sized them: 99 % and 0.2 %, with conservative update', () => {
    const sketch = new SeedWords().top.sketch;
    expect(sketch.probability).toBeGreaterThanOrEqual(0.99);
    expect(sketch.tolerance).toBeLessThanOrEqual(0.002);
    expect(sketch.conservative).toBe(true);
    expect(new SeedWords().top.k).toBe(SEED_K);
  });

  it('look up any word with its Count-Min bound, never below the true count', () => {
    const s = new SeedWords();
    for (let i = 0; i < 3000; i++) s.add({ lang: 'en', text: `word${i % 700} rare${i} common` });
    const hit = s.lookup('  Common! ');
    expect(hit.word).toBe('common');
    expect(hit.estimate).toBeGreaterThanOrEqual(3000);
    expect(hit.estimate - 3000).toBeLessThanOrEqual(hit.bound);
    expect(hit.total).toBe(9000);
    expect(hit.bound).toBeCloseTo(9000 * s.top.sketch.tolerance, 9);
    const never = s.lookup('zebra');
    expect(never.estimate).toBeGreaterThanOrEqual(0);
    expect(never.estimate).toBeLessThanOrEqual(never.bound);
    expect(s.lookup('…').word).toBeNull();
  });
});

describe('the seed’s view in the live panel’s worker', () => {
  const row = (i: number, lang: string, text: string): LiveRow => ({
    uri: `https://a.example/s/${i}`, base: i % 2 ? 'https://a.example' : 'https://b.example', lang, text, tags: [], acct: `u${i}@a.example`,
    chars: text.length, ts: Date.UTC(2026, 11, 5) + i,
  });

  it('is fed every counted row of every instance, answers a lookup, and survives a reload', () => {
    const live = new LiveSketches({ random: seededRandom(7) });
    const rows = Array.from({ length: 3000 }, (_, i) => row(i, i % 3 ? 'en' : 'de', i % 3 ? 'coffee #coffee https://x.example' : 'kaffee'));
    live.add(rows);
    live.add(rows.slice(0, 10)); // repeats count once
    const snap = live.snapshot({ language: null, instance: null, stopWords: true, lookup: 'Coffee' });
    expect([snap.seed.posts, snap.seed.skipped]).toEqual([2000, 1000]);
    expect(snap.seed.words.map((e) => [e.key, e.count])).toEqual([['coffee', 2000]]);
    expect(snap.seed.lookup).toEqual({ query: 'Coffee', word: 'coffee', estimate: 2000 });
    expect(snap.seed.bound.probability).toBeGreaterThanOrEqual(0.99);
    expect(snap.seed.sample.seen).toBe(3000);
    expect(snap.seed.sample.size).toBeGreaterThan(10);
    expect(snap.seed.sample.size).toBeLessThan(60);

    const restored = LiveSketches.restore(live.serialise(true).entries, { random: seededRandom(8) });
    const again = restored.snapshot({ language: null, instance: null, stopWords: true, lookup: 'coffee' });
    expect(again.seed).toEqual({ ...snap.seed, lookup: { ...snap.seed.lookup!, query: 'coffee' } });
  });

  it('keeps a simple random sample bounded at any rate: thinned to half the rate, still uniform over the stream', () => {
    const sample = new SeedSample(seededRandom(11));
    const N = 200_000;
    for (let i = 0; i < N; i++) sample.add({ uri: String(i), base: 'b', acct: 'a', lang: 'en', ts: i, text: '' });
    expect(sample.size).toBeLessThanOrEqual(SAMPLE_CAP + 1);
    expect(sample.rate).toBeLessThan(1 / START_ONE_IN);
    // Every post equally likely: the expected size is rate × N, and the first and second halves hold alike.
    expect(Math.abs(sample.size - sample.rate * N)).toBeLessThan(4 * Math.sqrt(sample.rate * N));
    const early = sample.newest(SAMPLE_CAP + 1).filter((t) => t.ts < N / 2).length;
    expect(Math.abs(early / sample.size - 0.5)).toBeLessThan(0.1);
  });
});
