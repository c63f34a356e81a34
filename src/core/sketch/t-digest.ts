/**
 * Merging t-digest (Dunning & Ertl, "Computing extremely accurate quantiles
 * using t-digests", 2019) for streaming quantiles of toot lengths, latencies
 * and other unbounded numeric columns.
 *
 * Points go into a flat buffer; when it fills, buffer and centroids are sorted
 * together and greedily re-merged under the k1 scale function
 * k(q) = δ/(2π)·asin(2q−1). k1 makes centroids tiny near q = 0 and 1, which is
 * what keeps p99/p999 accurate, and bounds the digest to ~δ centroids.
 * Batching the sort (instead of a tree insert per point, as in the older
 * AVL/red-black t-digest) is what makes `add` cheap.
 */

import { checkHeader } from './codec';

export interface TDigestJSON {
  type: 't-digest';
  version: 1;
  compression: number;
  min: number;
  max: number;
  /** Centroid means, ascending; JSON numbers round-trip float64 exactly. */
  means: number[];
  weights: number[];
}

export class TDigest {
  readonly compression: number;
  private means: Float64Array;
  private weights: Float64Array;
  private n = 0;
  private total = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private readonly bufX: Float64Array;
  private readonly bufW: Float64Array;
  private buffered = 0;
  private bufferedWeight = 0;
  /** All buffered weights are 1, so a plain numeric sort of bufX suffices. */
  private unitBuffer = true;
  private scratchMeans: Float64Array;
  private scratchWeights: Float64Array;

  constructor(compression = 100) {
    if (!(compression >= 10)) throw new RangeError(`compression must be ≥ 10, got ${compression}`);
    this.compression = compression;
    // k1 yields at most ~δ centroids; 2δ leaves room for the merge pass's slack.
    const cap = Math.ceil(2 * compression) + 10;
    this.means = new Float64Array(cap);
    this.weights = new Float64Array(cap);
    // A buffer several times the digest size amortises each sort-merge over many adds.
    const buf = Math.ceil(5 * compression);
    this.bufX = new Float64Array(buf);
    this.bufW = new Float64Array(buf);
    this.scratchMeans = new Float64Array(cap + buf);
    this.scratchWeights = new Float64Array(cap + buf);
  }

  /** Total weight added. */
  get count(): number {
    return this.total + this.bufferedWeight;
  }

  get min(): number {
    return this.lo;
  }

  get max(): number {
    return this.hi;
  }

  /** Number of centroids after flushing the buffer. */
  get size(): number {
    this.flush();
    return this.n;
  }

  add(x: number, w = 1): void {
    if (!Number.isFinite(x)) throw new RangeError(`t-digest: value must be finite, got ${x}`);
    if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`t-digest: weight must be a positive finite number, got ${w}`);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    const i = this.buffered++;
    this.bufX[i] = x;
    this.bufW[i] = w;
    if (w !== 1) this.unitBuffer = false;
    this.bufferedWeight += w;
    if (this.buffered === this.bufX.length) this.flush();
  }

  /** Sort the buffer into the centroid list and re-compress. Idempotent. */
  flush(): void {
    if (this.buffered === 0) return;
    const count = this.buffered;
    let xs: Float64Array;
    let ws: Float64Array | null = null;
    if (this.unitBuffer) {
      xs = this.bufX.subarray(0, count);
      xs.sort();
    } else {
      // Weighted points: sort a permutation so weights follow their values.
      const idx = Array.from({ length: count }, (_, i) => i);
      idx.sort((a, b) => this.bufX[a]! - this.bufX[b]!);
      xs = new Float64Array(count);
      ws = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        xs[i] = this.bufX[idx[i]!]!;
        ws[i] = this.bufW[idx[i]!]!;
      }
    }
    // Two-way merge of the sorted buffer with the (already sorted) centroids.
    const sm = this.scratchMeans;
    const sw = this.scratchWeights;
    const means = this.means;
    const weights = this.weights;
    const n = this.n;
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < n && j < count) {
      if (means[i]! <= xs[j]!) {
        sm[k] = means[i]!;
        sw[k++] = weights[i++]!;
      } else {
        sm[k] = xs[j]!;
        sw[k++] = ws ? ws[j]! : 1;
        j++;
      }
    }
    for (; i < n; i++, k++) {
      sm[k] = means[i]!;
      sw[k] = weights[i]!;
    }
    for (; j < count; j++, k++) {
      sm[k] = xs[j]!;
      sw[k] = ws ? ws[j]! : 1;
    }
    this.total += this.bufferedWeight;
    this.buffered = 0;
    this.bufferedWeight = 0;
    this.unitBuffer = true;
    this.compress(sm, sw, k);
  }

  /** Greedy pass: merge neighbours while the merged centroid spans ≤ 1 unit of k1. */
  private compress(sm: Float64Array, sw: Float64Array, len: number): void {
    const total = this.total;
    const normalizer = this.compression / (2 * Math.PI);
    const kOf = (q: number): number => normalizer * Math.asin(2 * Math.min(1, Math.max(0, q)) - 1);
    const qOf = (kv: number): number => (Math.sin(Math.min(Math.PI / 2, kv / normalizer)) + 1) / 2;
    let out = 0;
    let mean = sm[0]!;
    let weight = sw[0]!;
    let soFar = 0;
    let limit = total * qOf(kOf(0) + 1);
    for (let i = 1; i < len; i++) {
      const x = sm[i]!;
      const w = sw[i]!;
      if (soFar + weight + w <= limit) {
        weight += w;
        // Incremental mean keeps precision when a centroid absorbs thousands of points.
        mean += ((x - mean) * w) / weight;
      } else {
        this.push(out++, mean, weight);
        soFar += weight;
        limit = total * qOf(kOf(soFar / total) + 1);
        mean = x;
        weight = w;
      }
    }
    this.push(out++, mean, weight);
    this.n = out;
  }

  private push(i: number, mean: number, weight: number): void {
    if (i >= this.means.length) {
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.means = grow(this.means);
      this.weights = grow(this.weights);
      const s = this.means.length + this.bufX.length;
      if (s > this.scratchMeans.length) {
        this.scratchMeans = new Float64Array(s);
        this.scratchWeights = new Float64Array(s);
      }
    }
    this.means[i] = mean;
    this.weights[i] = weight;
  }

  /**
   * Value at quantile q ∈ [0, 1]. Interpolates between centroid means, treating
   * each centroid's mass as centred on its mean, single-point centroids as
   * exact, and min/max as the ends of the outermost half-centroids.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    this.flush();
    const n = this.n;
    if (n === 0) return NaN;
    const means = this.means;
    const weights = this.weights;
    const total = this.total;
    if (n === 1) return total === 1 ? means[0]! : this.lo + q * (this.hi - this.lo);
    const index = q * total;
    if (index < 1) return this.lo;
    if (weights[0]! > 1 && index < weights[0]! / 2) {
      return this.lo + ((index - 1) / (weights[0]! / 2 - 1)) * (means[0]! - this.lo);
    }
    if (index > total - 1) return this.hi;
    const last = n - 1;
    if (weights[last]! > 1 && total - index <= weights[last]! / 2) {
      return this.hi - ((total - index - 1) / (weights[last]! / 2 - 1)) * (this.hi - means[last]!);
    }
    let soFar = weights[0]! / 2;
    for (let i = 0; i < last; i++) {
      const dw = (weights[i]! + weights[i + 1]!) / 2;
      if (soFar + dw > index) {
        let leftUnit = 0;
        if (weights[i] === 1) {
          if (index - soFar < 0.5) return means[i]!;
          leftUnit = 0.5;
        }
        let rightUnit = 0;
        if (weights[i + 1] === 1) {
          if (soFar + dw - index <= 0.5) return means[i + 1]!;
          rightUnit = 0.5;
        }
        const z1 = index - soFar - leftUnit;
        const z2 = soFar + dw - index - rightUnit;
        return weightedAverage(means[i]!, z2, means[i + 1]!, z1);
      }
      soFar += dw;
    }
    const z1 = index - total - weights[last]! / 2;
    const z2 = weights[last]! / 2 - z1;
    return weightedAverage(means[last]!, z1, this.hi, z2);
  }

  /** Estimated fraction of the mass ≤ x, counting half of any mass exactly at x. */
  cdf(x: number): number {
    this.flush();
    const n = this.n;
    if (n === 0) return NaN;
    const means = this.means;
    const weights = this.weights;
    const total = this.total;
    const lo = this.lo;
    const hi = this.hi;
    if (x < lo) return 0;
    if (x > hi) return 1;
    if (n === 1) return hi - lo === 0 ? 0.5 : (x - lo) / (hi - lo);
    if (x < means[0]!) {
      // Left half of the first centroid, spread linearly from min.
      return means[0]! - lo > 0 ? (x === lo ? 0.5 : 1 + ((x - lo) / (means[0]! - lo)) * (weights[0]! / 2 - 1)) / total : 0;
    }
    const last = n - 1;
    if (x > means[last]!) {
      return hi - means[last]! > 0
        ? x === hi
          ? 1 - 0.5 / total
          : 1 - (1 + ((hi - x) / (hi - means[last]!)) * (weights[last]! / 2 - 1)) / total
        : 1;
    }
    let soFar = 0;
    for (let i = 0; i < last; i++) {
      if (means[i] === x) {
        // Several centroids can share a mean when the data has heavy ties.
        let dw = 0;
        while (i < n && means[i] === x) dw += weights[i++]!;
        return (soFar + dw / 2) / total;
      }
      if (means[i]! <= x && x < means[i + 1]!) {
        const left = weights[i]!;
        const right = weights[i + 1]!;
        let leftExcluded = 0;
        let rightExcluded = 0;
        if (left === 1) {
          if (right === 1) return (soFar + 1) / total;
          leftExcluded = 0.5;
        } else if (right === 1) {
          rightExcluded = 0.5;
        }
        const dw = (left + right) / 2;
        const base = soFar + left / 2 + leftExcluded;
        const frac = (x - means[i]!) / (means[i + 1]! - means[i]!);
        return (base + frac * (dw - leftExcluded - rightExcluded)) / total;
      }
      soFar += weights[i]!;
    }
    // x equals the last mean.
    return 1 - weights[last]! / 2 / total;
  }

  /** Alias of cdf: the estimated rank of x as a fraction of the count. */
  rank(x: number): number {
    return this.cdf(x);
  }

  /**
   * Adds `other`'s centroids as weighted points (in place). The result obeys
   * the same k1 size bound as a digest built from the union, so its error is
   * of the same order, though not bit-identical.
   */
  merge(other: TDigest): this {
    other.flush();
    for (let i = 0; i < other.n; i++) this.add(other.means[i]!, other.weights[i]!);
    if (other.n > 0) {
      if (other.lo < this.lo) this.lo = other.lo;
      if (other.hi > this.hi) this.hi = other.hi;
    }
    this.flush();
    return this;
  }

  equals(other: TDigest): boolean {
    return JSON.stringify(this.toJSON()) === JSON.stringify(other.toJSON());
  }

  clone(): TDigest {
    return TDigest.fromJSON(this.toJSON());
  }

  /** Flushes first: a snapshot holds centroids only. */
  toJSON(): TDigestJSON {
    this.flush();
    return {
      type: 't-digest',
      version: 1,
      compression: this.compression,
      min: this.n > 0 ? this.lo : 0,
      max: this.n > 0 ? this.hi : 0,
      means: Array.from(this.means.subarray(0, this.n)),
      weights: Array.from(this.weights.subarray(0, this.n)),
    };
  }

  static fromJSON(json: unknown): TDigest {
    const obj = checkHeader(json, 't-digest', 1) as unknown as TDigestJSON;
    if (obj.means.length !== obj.weights.length) throw new RangeError('t-digest: means/weights length mismatch');
    const d = new TDigest(obj.compression);
    for (let i = 0; i < obj.means.length; i++) {
      d.push(i, obj.means[i]!, obj.weights[i]!);
      d.total += obj.weights[i]!;
    }
    d.n = obj.means.length;
    if (d.n > 0) {
      d.lo = obj.min;
      d.hi = obj.max;
    }
    return d;
  }
}

function weightedAverage(x1: number, w1: number, x2: number, w2: number): number {
  const lo = Math.min(x1, x2);
  const hi = Math.max(x1, x2);
  const v = (x1 * w1 + x2 * w2) / (w1 + w2);
  return Math.max(lo, Math.min(hi, v));
}
