/**
 * Byte-level encoding for sketch snapshots.
 *
 * Snapshots must survive both JSON.stringify (for export/download) and
 * IndexedDB structured clone, so numeric tables are stored as base64 strings:
 * plain JSON arrays of 7×1024 float counters would be ~5× larger and slow to
 * parse. Own encoder because `Buffer` is Node-only and btoa needs a binary
 * string built char by char. Float tables are written little-endian
 * explicitly so a snapshot taken on one machine decodes on any other.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  // Chunked so String.fromCharCode.apply never exceeds the engine's argument limit.
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    const codes: number[] = [];
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      codes.push(
        ALPHABET.charCodeAt(n >>> 18),
        ALPHABET.charCodeAt((n >>> 12) & 63),
        ALPHABET.charCodeAt((n >>> 6) & 63),
        ALPHABET.charCodeAt(n & 63),
      );
    }
    const rest = end - i;
    if (rest > 0) {
      const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
      codes.push(ALPHABET.charCodeAt(n >>> 18), ALPHABET.charCodeAt((n >>> 12) & 63));
      codes.push(rest === 2 ? ALPHABET.charCodeAt((n >>> 6) & 63) : 61, 61);
    }
    parts.push(String.fromCharCode.apply(null, codes));
  }
  return parts.join('');
}

export function base64ToBytes(text: string): Uint8Array {
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) throw new SyntaxError(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

export function float64ToBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return bytesToBase64(bytes);
}

export function base64ToFloat64(text: string, expectedLength: number): Float64Array {
  const bytes = base64ToBytes(text);
  if (bytes.length !== expectedLength * 8) {
    throw new RangeError(`expected ${expectedLength} float64 values, got ${bytes.length / 8}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(expectedLength);
  for (let i = 0; i < expectedLength; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** Snapshot headers are checked on load so a stale or foreign object fails loudly instead of producing garbage counts. */
export function checkHeader(json: unknown, type: string, version: number): Record<string, unknown> {
  if (typeof json !== 'object' || json === null) throw new TypeError(`${type}: snapshot is not an object`);
  const obj = json as Record<string, unknown>;
  if (obj.type !== type) throw new TypeError(`${type}: snapshot has type ${String(obj.type)}`);
  if (obj.version !== version) throw new TypeError(`${type}: unsupported snapshot version ${String(obj.version)}`);
  return obj;
}
