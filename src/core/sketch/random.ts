/**
 * Seedable randomness for the sampling sketches.
 *
 * Samplers take a `RandomSource` instead of calling Math.random so tests (and
 * replays of a recorded stream) are deterministic. sfc32 is used because it is
 * small, fast with 32-bit integer ops in V8 and passes PractRand, unlike
 * mulberry32 whose 2^32 period is too short for millions of chi-square draws.
 */

/** Returns a float uniformly distributed in [0, 1). */
export type RandomSource = () => number;

/** splitmix32 spreads a small seed over 128 bits of state so nearby seeds give unrelated streams. */
function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Deterministic PRNG (sfc32) seeded from a 32-bit integer. */
export function seededRandom(seed: number): RandomSource {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of sfc32 are weakly mixed; discard a few rounds.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Uniform integer in [0, n). Floating-point scaling is unbiased enough for n far below 2^32. */
export function randomIndex(random: RandomSource, n: number): number {
  return Math.floor(random() * n);
}
