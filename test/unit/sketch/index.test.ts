import { describe, expect, it } from 'vitest';
import * as sketch from '../../../src/core/sketch';

describe('sketch index', () => {
  it('wires tokenizer and Top-K together for the live top-words use', () => {
    const top = new sketch.TopK(3);
    const toots = [
      'Rust’s borrow checker is great https://rust-lang.org @ferris@hachyderm.io',
      'I love the borrow checker! #rust',
      'Borrow checker memes again… #Rust 🦀',
    ];
    for (const toot of toots) for (const w of sketch.tokenize(toot, { stopWords: sketch.ENGLISH_STOP_WORDS })) top.update(w);
    expect(top.top()).toEqual([
      { key: 'borrow', count: 3 },
      { key: 'checker', count: 3 },
      { key: 'rust', count: 2 },
    ]);
    expect(Object.keys(sketch).sort()).toEqual(
      ['CountMinSketch', 'ENGLISH_STOP_WORDS', 'HyperLogLog', 'MAX_PRECISION', 'MIN_PRECISION', 'RandomSample', 'Reservoir', 'TDigest', 'TopK', 'hash64', 'hash64Hex', 'randomIndex', 'seededRandom', 'tokenize'].sort(),
    );
  });
});
