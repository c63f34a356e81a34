/**
 * Mastodon-style snowflake ids: `(milliseconds << 16) | sequence`, sent as decimal strings because
 * they exceed Number.MAX_SAFE_INTEGER. Built with exact split arithmetic instead of BigInt so the
 * hot path of the generator stays allocation-light in every browser.
 */

import { hash32 } from './random';

const SPLIT = 1e8;

/** Decimal string of `ms * 65536 + seq` (0 ≤ seq < 65536), exact for any realistic timestamp. */
export function snowflakeId(ms: number, seq: number): string {
  // ms = a·1e8 + b  ⇒  id = (a·65536)·1e8 + (b·65536 + seq); each part stays < 2^53.
  const a = Math.floor(ms / SPLIT);
  const b = ms - a * SPLIT;
  const low = b * 65536 + seq;
  const carry = Math.floor(low / SPLIT);
  const high = a * 65536 + carry;
  const rest = low - carry * SPLIT;
  return high > 0 ? `${high}${String(rest).padStart(8, '0')}` : String(rest);
}

/** The millisecond timestamp encoded in a snowflake id (long division by 65536 on the digits). */
export function snowflakeTime(id: string): number {
  let quotient = 0;
  let rem = 0;
  for (let i = 0; i < id.length; i++) {
    const cur = rem * 10 + (id.charCodeAt(i) - 48);
    const digit = Math.floor(cur / 65536);
    rem = cur - digit * 65536;
    quotient = quotient * 10 + digit; // the quotient (≈1.7e12) is far below 2^53
  }
  return quotient;
}

export { compareIds } from '../status-id';

/**
 * Hands out strictly increasing ids for one instance. The low 16 bits start at a hash of the
 * millisecond, like Mastodon's (which hashes a secret with the time), so ids of different
 * instances created in the same millisecond differ.
 */
export class SnowflakeClock {
  private lastMs = -1;
  private seq = 0;

  constructor(private readonly salt: number = 0) {}

  /** The next id at time `ms`; if the clock went backwards, it keeps counting from the last time. */
  next(ms: number): string {
    const t = Math.floor(ms);
    if (t > this.lastMs) {
      this.lastMs = t;
      this.seq = hash32(this.salt, t) & 0x3fff;
    } else if (++this.seq > 0xffff) {
      this.lastMs++;
      this.seq = 0;
    }
    return snowflakeId(this.lastMs, this.seq);
  }

  /** Low 16 bits of the last id handed out. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Time of the last id handed out (ms), or -1. */
  get lastTime(): number {
    return this.lastMs;
  }
}
