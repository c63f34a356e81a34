/**
 * HyperLogLog distinct counter over the 64-bit hash.
 *
 * Estimation uses Ertl's improved estimator ("New cardinality estimation
 * algorithms for HyperLogLog sketches", 2017) instead of HLL++'s empirical
 * bias tables: it needs no per-precision constants (HLL++ ships ~200 fitted
 * values for each p), is nearly unbiased from 0 to far beyond 2^32, and its
 * σ(C₀/m) term is linear counting in closed form, so small cardinalities are
 * handled by linear counting without the threshold switch where the classic
 * estimator jumps. With a 64-bit hash there is no large-range correction.
 */

import { bytesToBase64, base64ToBytes, checkHeader } from './codec';
import { hash64 } from './hash';

export interface HyperLogLogJSON {
  type: 'hyperloglog';
  version: 1;
  p: number;
  seed: number;
  /** 2^p one-byte registers, base64. */
  registers: string;
}

export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;

/** α∞ = 1 / (2 ln 2), the bias constant for m → ∞ the improved estimator is built on. */
const ALPHA_INF = 1 / (2 * Math.LN2);

/** Ertl's σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k−1): the contribution of empty registers. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const prev = z;
    z += x * y;
    y += y;
    if (z === prev) return z;
  }
}

/** Ertl's τ(x): the correction for registers that hit the maximum value. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === prev) return z / 3;
  }
}

export class HyperLogLog {
  readonly p: number;
  readonly m: number;
  readonly seed: number;
  readonly registers: Uint8Array;
  private readonly h = new Uint32Array(2);

  constructor(p = 14, seed = 0) {
    if (!Number.isInteger(p) || p < MIN_PRECISION || p > MAX_PRECISION) {
      throw new RangeError(`precision must be an integer in ${MIN_PRECISION}..${MAX_PRECISION}, got ${p}`);
    }
    this.p = p;
    this.m = 1 << p;
    this.seed = seed;
    this.registers = new Uint8Array(this.m);
  }

  /** Smallest precision whose standard error 1.04/√m is at most `error`, clamped to 4..18. */
  static precisionFor(error: number): number {
    if (!(error > 0)) throw new RangeError(`error must be > 0, got ${error}`);
    const p = Math.ceil(Math.log2((1.04 / error) ** 2) - 1e-9);
    return Math.min(MAX_PRECISION, Math.max(MIN_PRECISION, p));
  }

  static fromError(error: number, seed = 0): HyperLogLog {
    return new HyperLogLog(HyperLogLog.precisionFor(error), seed);
  }

  /** Standard error of `count()` relative to the true cardinality. */
  get relativeError(): number {
    return 1.04 / Math.sqrt(this.m);
  }

  add(key: string): void {
    const h = this.h;
    hash64(key, h, this.seed);
    this.addHash(h[0]!, h[1]!);
  }

  /**
   * The top p bits pick the register; the register keeps the maximum
   * position of the first 1-bit in the remaining 64−p bits (1-based, 65−p if
   * they are all zero).
   */
  addHash(hi: number, lo: number): void {
    const p = this.p;
    const idx = hi >>> (32 - p);
    const rest = hi << p;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 33 - p + Math.clz32(lo);
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }

  count(): number {
    const q = 64 - this.p;
    const m = this.m;
    const hist = new Float64Array(q + 2);
    const regs = this.registers;
    for (let i = 0; i < m; i++) hist[regs[i]!]!++;
    let z = m * tau(1 - hist[q + 1]! / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + hist[k]!);
    z += m * sigma(hist[0]! / m);
    return (ALPHA_INF * m * m) / z;
  }

  isCompatible(other: HyperLogLog): boolean {
    return this.p === other.p && this.seed === other.seed;
  }

  /** Register-wise max: exactly the sketch of the union of both streams. */
  merge(other: HyperLogLog): this {
    if (!this.isCompatible(other)) {
      throw new RangeError(`cannot merge HyperLogLog p=${other.p}/seed ${other.seed} into p=${this.p}/seed ${this.seed}`);
    }
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
    return this;
  }

  equals(other: HyperLogLog): boolean {
    if (!this.isCompatible(other)) return false;
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  clone(): HyperLogLog {
    const c = new HyperLogLog(this.p, this.seed);
    c.registers.set(this.registers);
    return c;
  }

  toJSON(): HyperLogLogJSON {
    return { type: 'hyperloglog', version: 1, p: this.p, seed: this.seed, registers: bytesToBase64(this.registers) };
  }

  static fromJSON(json: unknown): HyperLogLog {
    const obj = checkHeader(json, 'hyperloglog', 1) as unknown as HyperLogLogJSON;
    const hll = new HyperLogLog(obj.p, obj.seed);
    const regs = base64ToBytes(obj.registers);
    if (regs.length !== hll.m) throw new RangeError(`hyperloglog: expected ${hll.m} registers, got ${regs.length}`);
    hll.registers.set(regs);
    return hll;
  }
}
