import { describe, expect, it } from 'vitest';
import { SEED_K, SeedWords, seedTokens } from '../../../src/core/sketch/seed-words';

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
