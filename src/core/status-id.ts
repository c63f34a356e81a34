/**
 * Status ids as the servers of the fediverse make them. None is a number we may parse into a JS
 * number, and only Mastodon's (and Pleroma/Akkoma's flake ids served as decimal text, and old
 * servers' serial ids) are numbers at all:
 *
 * | kind | example | made by |
 * |---|---|---|
 * | decimal, at most 19 digits | `115432063212345678` | Mastodon (snowflake), old Mastodon and Pleroma (serial) |
 * | FlakeId: 18 base62 | `AbS7AYFXrPr4prjnVY` | Pleroma, Akkoma (128 bits: ms time, worker, sequence) |
 * | ULID: 26 Crockford base32 | `01HWRRWYV739R3GG41NDQEYZ86` | GoToSocial, Misskey's `ulid` setting |
 * | aid: 10 base36 | `9xyz01ab2c` | Misskey's default |
 * | aidx: 16 base36 | `9xyz01ab2cde3fgh` | Misskey, Sharkey |
 * | meid / ObjectId: 24 hex | `65f1c2d3e4a5b6c7d8e9f0a1` | Misskey's `meid`, `objectid` |
 * | meidg: `g` + 23 hex | `g018c1f2e3d4a5b6c7d8e9f0` | Misskey's `meidg` (misc/id/meidg.ts) |
 *
 * Each kind is fixed-length text (decimal aside) in an alphabet whose ASCII order is its digit
 * order, and puts the time first, so "shorter is smaller, then compare the text" orders every kind
 * exactly as its server does (`compareIds`). One instance uses one kind, and ids are only ever
 * compared within one instance (paging, backfill, reconciliation).
 */
const DECIMAL = /^\d{1,19}$/;
const ID_FORMS = [DECIMAL, /^[0-9A-Za-z]{18}$/, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/, /^[0-9a-z]{10}$/, /^[0-9a-z]{16}$/, /^[0-9a-f]{24}$/, /^g[0-9a-f]{23}$/];

/** BIGINT's largest value: a decimal id above it cannot be `m_id`. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** Whether `id` has the shape of one of the kinds above. */
export const hasIdForm = (id: string): boolean => ID_FORMS.some((form) => form.test(id));

/** A decimal id beyond BIGINT would not fit `m_id`: Mastodon never makes one. */
export const fitsBigint = (id: string): boolean => !/^\d+$/.test(id) || BigInt(id) <= MAX_BIGINT;

/** Whether `id` is one of the kinds above (a decimal one fitting BIGINT). */
export const isStatusId = (id: string): boolean => hasIdForm(id) && fitsBigint(id);

/**
 * `m_id`: the id as a BIGINT where it is a decimal number, else null. A FlakeId or ULID (128 bits)
 * or an aidx (82) cannot be a BIGINT without losing bits, and an aid read as base36 would be a number no server
 * knows; so those rows keep their id only in `id`, exact, and sort by `compareIds` / `id_order`.
 */
export function numericId(id: string): bigint | null {
  return DECIMAL.test(id) ? BigInt(id) : null;
}

/**
 * Orders ids of one kind as their server does (see above), without parsing them. Base62's digits
 * 0-9A-Za-z and Crockford's 0-9A-Z (no I L O U) are in ASCII order, so text order is number order.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxId(a: string | null, b: string): string {
  return a === null || compareIds(b, a) > 0 ? b : a;
}

/**
 * `compareIds` as a DuckDB sort key for the VARCHAR `column`: left-padding with '0' to a fixed width
 * makes shorter decimal ids smaller and leaves fixed-length kinds in their own order. Ids are at
 * most 26 characters (ID_FORMS), so 32 never truncates.
 */
export const idOrderSql = (column: string) => `lpad(${column}, 32, '0')`;
