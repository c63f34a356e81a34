/**
 * Count-Min sketch (Cormode & Muthukrishnan) with optional conservative update.
 *
 * Point estimates never undercount. With width w and depth d, an estimate
 * exceeds the true count by more than (2/w)·N with probability at most 2^-d
 * (N = total count added). Conservative update (Estan & Varghese) only raises
 * the counters that are below the new minimum, which keeps that guarantee and
 * shrinks the overestimate on skewed streams by a large factor; it is the
 * default because Top-K ranking on word counts depends on it.
 */

import { base64ToFloat64, checkHeader, float64ToBase64 } from './codec';
import { hash64 } from './hash';

export interface CountMinOptions {
  /** Hash seed; sketches only merge when seeds match. */
  seed?: number;
  /** Conservative update (default true). Turn off when exact mergeability matters more than accuracy. */
  conservative?: boolean;
}

export interface CountMinJSON {
  type: 'count-min';
  version: 1;
  width: number;
  depth: number;
  seed: number;
  conservative: boolean;
  total: number;
  /** width·depth float64 counters, row-major, little-endian, base64. */
  counts: string;
}

/** Top bits of a multiply-xorshift of g; see updateHash for why g is not just masked. */
function rowIndex(g: number, shift: number, mask: number): number {
  const x = Math.imul(g ^ (g >>> 16), 0x45d9f3b);
  return ((x ^ (x >>> 13)) >>> shift) & mask;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 2 ** 30 && (n & (n - 1)) === 0;
}

export class CountMinSketch {
  readonly width: number;
  readonly depth: number;
  readonly seed: number;
  readonly conservative: boolean;
  /**
   * Float64 (not Uint32) so counts and weighted updates cannot silently wrap;
   * 7×1024 cells is still 56 KiB, well inside L2.
   */
  readonly counts: Float64Array;
  private sum = 0;
  private readonly mask: number;
  private readonly shift: number;
  private readonly cells: Int32Array;
  private readonly h = new Uint32Array(2);

  /** `width` must be a power of two so a row index is a mask, not a modulo. */
  constructor(width: number, depth: number, options: CountMinOptions = {}) {
    if (!isPowerOfTwo(width)) throw new RangeError(`width must be a power of two, got ${width}`);
    if (!Number.isInteger(depth) || depth < 1 || depth > 64) throw new RangeError(`depth must be 1..64, got ${depth}`);
    this.width = width;
    this.depth = depth;
    this.seed = options.seed ?? 0;
    this.conservative = options.conservative ?? true;
    this.mask = width - 1;
    this.shift = 32 - Math.log2(width);
    this.counts = new Float64Array(width * depth);
    this.cells = new Int32Array(depth);
  }

  /**
   * Sized so that estimate ≤ true + tolerance·N with the given probability:
   * width = next power of two ≥ 2/tolerance, depth = ⌈ln(1−p)/ln ½⌉.
   */
  static fromError(tolerance: number, probability: number, options: CountMinOptions = {}): CountMinSketch {
    if (!(tolerance > 0 && tolerance < 1)) throw new RangeError(`tolerance must be in (0, 1), got ${tolerance}`);
    if (!(probability > 0 && probability < 1)) throw new RangeError(`probability must be in (0, 1), got ${probability}`);
    const width = 2 ** Math.ceil(Math.log2(2 / tolerance) - 1e-9);
    const depth = Math.max(1, Math.ceil(Math.log(1 - probability) / Math.log(0.5) - 1e-9));
    return new CountMinSketch(width, depth, options);
  }

  /** Additive error bound as a fraction of `total`. */
  get tolerance(): number {
    return 2 / this.width;
  }

  /** Probability that a single estimate is within `tolerance·total`. */
  get probability(): number {
    return 1 - 0.5 ** this.depth;
  }

  /** Sum of all counts added (N in the error bound). */
  get total(): number {
    return this.sum;
  }

  /** Adds `count` (≥ 0) occurrences of `key` and returns the key's new estimate. */
  update(key: string, count = 1): number {
    const h = this.h;
    hash64(key, h, this.seed);
    return this.updateHash(h[0]!, h[1]!, count);
  }

  /**
   * Update from a precomputed hash, so Top-K hashes each word once.
   *
   * Row i uses g_i = h1 + i·h2 (Kirsch–Mitzenmacher double hashing: one string
   * pass instead of d) passed through a multiply-xorshift and cut to its top
   * bits. Masking g_i directly would make every row index a function of only
   * the low log2(w) bits of h1 and h2, so two keys agreeing there collide in
   * ALL rows (p = 1/w² per pair: with w = 1024 and a 50k vocabulary, about one
   * tail word per top word gets the top word's full count). Mixing the full
   * 32 bits of g_i restores near-independent rows for one Math.imul per row.
   */
  updateHash(h1: number, h2: number, count = 1): number {
    if (!(count >= 0)) throw new RangeError(`count must be ≥ 0, got ${count}`);
    const c = this.counts;
    const w = this.width;
    const mask = this.mask;
    const shift = this.shift;
    const d = this.depth;
    const step = h2 | 0;
    let g = h1 | 0;
    this.sum += count;
    if (!this.conservative) {
      let min = Infinity;
      for (let i = 0, base = 0; i < d; i++, base += w) {
        const idx = base + rowIndex(g, shift, mask);
        const v = c[idx]! + count;
        c[idx] = v;
        if (v < min) min = v;
        g = (g + step) | 0;
      }
      return min;
    }
    const cells = this.cells;
    let min = Infinity;
    for (let i = 0, base = 0; i < d; i++, base += w) {
      const idx = base + rowIndex(g, shift, mask);
      cells[i] = idx;
      const v = c[idx]!;
      if (v < min) min = v;
      g = (g + step) | 0;
    }
    const target = min + count;
    for (let i = 0; i < d; i++) {
      const idx = cells[i]!;
      if (c[idx]! < target) c[idx] = target;
    }
    return target;
  }

  /** Upper bound on the number of times `key` was added. */
  estimate(key: string): number {
    const h = this.h;
    hash64(key, h, this.seed);
    return this.estimateHash(h[0]!, h[1]!);
  }

  estimateHash(h1: number, h2: number): number {
    const c = this.counts;
    const w = this.width;
    const mask = this.mask;
    const shift = this.shift;
    const step = h2 | 0;
    let g = h1 | 0;
    let min = Infinity;
    for (let i = 0, base = 0; i < this.depth; i++, base += w) {
      const v = c[base + rowIndex(g, shift, mask)]!;
      if (v < min) min = v;
      g = (g + step) | 0;
    }
    return min;
  }

  isCompatible(other: CountMinSketch): boolean {
    return this.width === other.width && this.depth === other.depth && this.seed === other.seed;
  }

  /**
   * Adds `other`'s counters into this sketch (in place).
   *
   * Without conservative update this is exactly the sketch of the union. With
   * conservative update, summing is NOT what the union stream would have
   * produced: each cell is the sum of two per-stream upper bounds, so merged
   * estimates are still ≥ the true union counts (and within the summed
   * tolerance), but may be looser than updating one sketch with both streams.
   */
  merge(other: CountMinSketch): this {
    if (!this.isCompatible(other)) {
      throw new RangeError(
        `cannot merge count-min ${other.width}×${other.depth}/seed ${other.seed} into ${this.width}×${this.depth}/seed ${this.seed}`,
      );
    }
    const c = this.counts;
    const o = other.counts;
    for (let i = 0; i < c.length; i++) c[i] = c[i]! + o[i]!;
    this.sum += other.sum;
    return this;
  }

  equals(other: CountMinSketch): boolean {
    if (!this.isCompatible(other) || this.conservative !== other.conservative || this.sum !== other.sum) return false;
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  clone(): CountMinSketch {
    return CountMinSketch.fromJSON(this.toJSON());
  }

  toJSON(): CountMinJSON {
    return {
      type: 'count-min',
      version: 1,
      width: this.width,
      depth: this.depth,
      seed: this.seed,
      conservative: this.conservative,
      total: this.sum,
      counts: float64ToBase64(this.counts),
    };
  }

  static fromJSON(json: unknown): CountMinSketch {
    const obj = checkHeader(json, 'count-min', 1) as unknown as CountMinJSON;
    const sketch = new CountMinSketch(obj.width, obj.depth, { seed: obj.seed, conservative: obj.conservative });
    sketch.counts.set(base64ToFloat64(obj.counts, obj.width * obj.depth));
    sketch.sum = obj.total;
    return sketch;
  }
}
