/**
 * 64-bit string hash shared by every sketch.
 *
 * Two 32-bit lanes are computed in one pass over the UTF-16 code units: a
 * murmur3_32 lane and an xxhash32-style lane with different primes, so a
 * collision needs both (independently mixed) lanes to collide. Everything is
 * Math.imul / shifts on int32, which V8 keeps in registers; BigInt or a
 * 64-bit multiply emulation would cost 10-50× more per call, and the Top-K
 * target is millions of updates per second.
 *
 * Code units are hashed two at a time, so the hash depends on the UTF-16
 * representation. Callers that need "é" (precomposed) and "é" (combining) to
 * hash equal must normalise first; the tokenizer does.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Writes the 64-bit hash of `key` into `out` as two unsigned 32-bit halves:
 * out[0] is the high lane, out[1] the low lane. Writing into a caller-owned
 * array (instead of returning a pair) keeps the hot path allocation-free.
 */
export function hash64(key: string, out: Uint32Array, seed = 0): void {
  let h1 = seed ^ 0x9747b28c;
  let h2 = (seed + P1) | 0;
  const len = key.length;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    let k1 = Math.imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = (h2 + Math.imul(k, P2)) | 0;
    h2 = (h2 << 13) | (h2 >>> 19);
    h2 = Math.imul(h2, P1);
  }
  if (i < len) {
    const k = key.charCodeAt(i);
    let k1 = Math.imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h2 = (h2 + Math.imul(k, P3)) | 0;
    h2 = Math.imul((h2 << 17) | (h2 >>> 15), P2);
  }
  h1 = fmix32(h1 ^ len);
  h2 = fmix32(h2 ^ Math.imul(len, P3));
  // Cross-feed the lanes (as murmur3_x86_128 does) so every output bit depends on both.
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

/** Convenience for tests and cold paths: the 64-bit hash as 16 hex digits. */
export function hash64Hex(key: string, seed = 0): string {
  const out = new Uint32Array(2);
  hash64(key, out, seed);
  return out[0]!.toString(16).padStart(8, '0') + out[1]!.toString(16).padStart(8, '0');
}
