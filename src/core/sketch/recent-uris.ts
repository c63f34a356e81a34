import { hash64 } from './hash';

/** Two generations of 53-bit uri hashes: remembers the last RECENT_GENERATION to 2× that many. */
export class RecentUris {
  private current = new Set<number>();
  private previous = new Set<number>();
  private readonly h = new Uint32Array(2);

  constructor(
    private readonly generation: number,
    private readonly seed: number,
  ) {}

  key(uri: string): number {
    hash64(uri, this.h, this.seed);
    // 32 + 21 bits: exact in a double, and a false "repeat" needs a 53-bit collision.
    return this.h[0]! * 2097152 + (this.h[1]! >>> 11);
  }

  /** True if `uri` was seen recently; otherwise remembers it and returns false. */
  seen(uri: string): boolean {
    const k = this.key(uri);
    if (this.current.has(k) || this.previous.has(k)) return true;
    this.insert(k);
    return false;
  }

  private insert(k: number): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(k);
  }

  toArray(): Float64Array {
    const out = new Float64Array(this.previous.size + this.current.size);
    let i = 0;
    for (const k of this.previous) out[i++] = k;
    for (const k of this.current) out[i++] = k;
    return out;
  }

  static from(values: ArrayLike<number>, generation: number, seed: number): RecentUris {
    const r = new RecentUris(generation, seed);
    for (let i = 0; i < values.length; i++) {
      const k = values[i]!;
      if (!r.current.has(k) && !r.previous.has(k)) r.insert(k);
    }
    return r;
  }
}
