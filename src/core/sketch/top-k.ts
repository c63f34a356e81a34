/**
 * Heavy hitters: a conservative-update Count-Min sketch estimates every key's
 * count, and an exact min-heap holds the k keys with the largest estimates
 * (the design of the Python `streaming` library's TopK(k, probability,
 * tolerance)).
 *
 * The heap lives in parallel arrays (keys / counts) plus a Map from key to
 * heap slot, so an update allocates nothing and finding a key already in the
 * heap is one hash-map lookup instead of a linear scan.
 */

import { type CountMinJSON, CountMinSketch } from './count-min';
import { checkHeader } from './codec';
import { hash64 } from './hash';

export interface TopKEntry {
  key: string;
  count: number;
}

export interface TopKJSON {
  type: 'top-k';
  version: 1;
  k: number;
  sketch: CountMinJSON;
  /** Heap order, so a round trip restores the identical structure. */
  keys: string[];
  counts: number[];
}

export class TopK {
  readonly k: number;
  private cms: CountMinSketch;
  private readonly keys: string[];
  private readonly counts: Float64Array;
  private size = 0;
  private readonly slot = new Map<string, number>();
  private readonly h = new Uint32Array(2);

  /**
   * @param k number of heavy hitters to keep
   * @param probability confidence of each count estimate
   * @param tolerance additive error of each estimate, as a fraction of the total count
   */
  constructor(k = 25, probability = 0.99, tolerance = 0.002, seed = 0) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    this.k = k;
    this.cms = CountMinSketch.fromError(tolerance, probability, { seed, conservative: true });
    this.keys = new Array<string>(k).fill('');
    this.counts = new Float64Array(k);
  }

  /** Wraps an existing (e.g. restored) sketch; it should use conservative update. */
  static fromSketch(k: number, sketch: CountMinSketch): TopK {
    const t = new TopK(k, 0.5, 0.5, sketch.seed);
    t.cms = sketch;
    return t;
  }

  /** The underlying Count-Min sketch (shared, not a copy). */
  get sketch(): CountMinSketch {
    return this.cms;
  }

  /** Total count seen (the N that `tolerance` is relative to). */
  get total(): number {
    return this.cms.total;
  }

  update(key: string, count = 1): void {
    const h = this.h;
    hash64(key, h, this.cms.seed);
    const est = this.cms.updateHash(h[0]!, h[1]!, count);
    const counts = this.counts;
    // Estimates only grow and a heap entry holds the key's estimate as of its
    // last update, so a key whose new estimate does not beat the heap minimum
    // cannot be in the heap: skip the Map lookup for the long tail.
    if (this.size === this.k && est <= counts[0]!) return;
    const pos = this.slot.get(key);
    if (pos !== undefined) {
      counts[pos] = est;
      this.siftDown(pos);
    } else if (this.size < this.k) {
      const i = this.size++;
      this.keys[i] = key;
      counts[i] = est;
      this.slot.set(key, i);
      this.siftUp(i);
    } else {
      this.slot.delete(this.keys[0]!);
      this.keys[0] = key;
      counts[0] = est;
      this.slot.set(key, 0);
      this.siftDown(0);
    }
  }

  /** Count-Min estimate for any key, in the heap or not. */
  estimate(key: string): number {
    return this.sketch.estimate(key);
  }

  /** The current top keys, largest estimate first (ties by key, for stable output). */
  top(): TopKEntry[] {
    const out: TopKEntry[] = [];
    for (let i = 0; i < this.size; i++) out.push({ key: this.keys[i]!, count: this.counts[i]! });
    return out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Merges `other` into this (in place). The sketches are summed and every key
   * held by either heap is re-estimated against the merged sketch; a key can
   * only be missed if it was outside both heaps yet is top-k in the union,
   * which needs it to sit right at the k-th boundary in both halves.
   */
  merge(other: TopK): this {
    this.sketch.merge(other.sketch);
    const candidates = new Set<string>();
    for (let i = 0; i < this.size; i++) candidates.add(this.keys[i]!);
    for (let i = 0; i < other.size; i++) candidates.add(other.keys[i]!);
    const ranked = [...candidates]
      .map((key) => ({ key, count: this.sketch.estimate(key) }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, this.k);
    this.slot.clear();
    this.size = 0;
    for (const { key, count } of ranked) {
      const i = this.size++;
      this.keys[i] = key;
      this.counts[i] = count;
      this.slot.set(key, i);
      this.siftUp(i);
    }
    return this;
  }

  equals(other: TopK): boolean {
    if (this.k !== other.k || this.size !== other.size || !this.sketch.equals(other.sketch)) return false;
    for (let i = 0; i < this.size; i++) {
      if (this.keys[i] !== other.keys[i] || this.counts[i] !== other.counts[i]) return false;
    }
    return true;
  }

  clone(): TopK {
    return TopK.fromJSON(this.toJSON());
  }

  toJSON(): TopKJSON {
    return {
      type: 'top-k',
      version: 1,
      k: this.k,
      sketch: this.sketch.toJSON(),
      keys: this.keys.slice(0, this.size),
      counts: Array.from(this.counts.subarray(0, this.size)),
    };
  }

  static fromJSON(json: unknown): TopK {
    const obj = checkHeader(json, 'top-k', 1) as unknown as TopKJSON;
    if (obj.keys.length !== obj.counts.length || obj.keys.length > obj.k) throw new RangeError('top-k: malformed heap');
    const t = TopK.fromSketch(obj.k, CountMinSketch.fromJSON(obj.sketch));
    for (let i = 0; i < obj.keys.length; i++) {
      t.keys[i] = obj.keys[i]!;
      t.counts[i] = obj.counts[i]!;
      t.slot.set(obj.keys[i]!, i);
    }
    t.size = obj.keys.length;
    return t;
  }

  // Both sifts expect slot(key at i) = i on entry and only touch the Map for
  // entries that move: most updates hit a heavy key that stays put.
  private siftUp(i: number): void {
    const keys = this.keys;
    const counts = this.counts;
    const start = i;
    const key = keys[i]!;
    const count = counts[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (counts[parent]! <= count) break;
      keys[i] = keys[parent]!;
      counts[i] = counts[parent]!;
      this.slot.set(keys[i]!, i);
      i = parent;
    }
    if (i === start) return;
    keys[i] = key;
    counts[i] = count;
    this.slot.set(key, i);
  }

  private siftDown(i: number): void {
    const keys = this.keys;
    const counts = this.counts;
    const n = this.size;
    const start = i;
    const key = keys[i]!;
    const count = counts[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && counts[right]! < counts[left]! ? right : left;
      if (counts[child]! >= count) break;
      keys[i] = keys[child]!;
      counts[i] = counts[child]!;
      this.slot.set(keys[i]!, i);
      i = child;
    }
    if (i === start) return;
    keys[i] = key;
    counts[i] = count;
    this.slot.set(key, i);
  }
}
