/**
 * Status ids as the other Mastodon-API servers make them, from the same time and sequence a
 * Mastodon snowflake holds (`ms << 16 | seq`), so a fake of any kind hands out ids in the order of
 * its posts:
 * - Akkoma/Pleroma: FlakeId (the `flake_id` package): 64 bits of ms time, 48 of worker id, 16 of
 *   sequence, as base62 (`0-9A-Za-z`) padded to 18 characters.
 * - GoToSocial: ULID (`oklog/ulid`): 48 bits of ms time, 80 random bits, Crockford base32, 26
 *   characters; the random part here carries the sequence first, so ids of one ms still ascend.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdKind = 'snowflake' | 'flake' | 'ulid';

function encode(v: bigint, alphabet: string, width: number): string {
  const base = BigInt(alphabet.length);
  let s = '';
  for (; v > 0n; v /= base) s = alphabet[Number(v % base)]! + s;
  return s.padStart(width, '0');
}

/** A FlakeId of `ms` and `seq` on worker `worker` (48 bits). */
export function flakeId(ms: number, seq: number, worker = 0x2a_0000_0001n): string {
  return encode((BigInt(ms) << 64n) | (worker << 16n) | BigInt(seq & 0xffff), BASE62, 18);
}

/** A ULID of `ms`; `random` (80 bits) decides the order within one ms. */
export function ulid(ms: number, random: bigint): string {
  return encode((BigInt(ms) << 80n) | (random & ((1n << 80n) - 1n)), CROCKFORD, 26);
}

/** The id of kind `kind` for a Mastodon snowflake `snowflake`: the same time and sequence. */
export function idOfKind(kind: IdKind, snowflake: string): string {
  if (kind === 'snowflake') return snowflake;
  const v = BigInt(snowflake);
  const ms = Number(v >> 16n);
  const seq = Number(v & 0xffffn);
  // The low bits are fixed noise from the sequence: a real ULID's are random.
  return kind === 'flake' ? flakeId(ms, seq) : ulid(ms, (BigInt(seq) << 64n) | (BigInt(seq) * 0x9e3779b97f4a7c15n & 0xffff_ffff_ffff_ffffn));
}
