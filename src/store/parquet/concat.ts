/**
 * Concatenating Parquet files that share one schema into one file, without decoding any data.
 *
 * The app keeps its posts in IndexedDB as zstd Parquet segments (parquet-wasm, i.e. arrow-rs).
 * Exporting 1.6 M posts as one file by decoding and re-encoding them takes long and runs out of
 * wasm memory, yet the segments already hold finished row groups. So each input's row-group bytes
 * are copied verbatim and only a new footer is written: the inputs' row groups, one after the
 * other, with their absolute file offsets shifted to where the bytes now sit.
 *
 * The footer is read and written whole (footer.ts, thrift-compact.ts), so fields this
 * module knows nothing about survive untouched.
 */

import { BINARY, encodeThriftStruct, LIST, STRUCT, type ThriftField, type ThriftList, type ThriftStruct } from './thrift-compact';
import {
  CC, CMD, FMD, MAGIC, RG, chunkMetaData, chunkSpan, columnChunksOf, field, footerTail, i64, parquetFooter, rowGroupsOf, sameBytes,
  withoutBloomFilter, withoutPageIndexes,
} from './footer';

/** The row groups of a footer, with the byte span [start, end) that all their column chunks cover. */
export function rowGroupsAndSpan(footer: ThriftStruct, fileLength: number) {
  const rowGroups = rowGroupsOf(footer);
  let start = Infinity, end = -Infinity;
  for (const rg of rowGroups) {
    for (const cc of columnChunksOf(rg)) {
      const span = chunkSpan(chunkMetaData(cc, 'concatenated'));
      start = Math.min(start, span.start);
      end = Math.max(end, span.end);
    }
  }
  if (rowGroups.length && !(start >= 4 && end <= fileLength - 8 && start < end)) throw new Error('Parquet row groups lie outside the file');
  return { rowGroups, start, end };
}

const shifted = (f: ThriftField, delta: bigint): ThriftField => ((f.value as bigint) > 0n ? { ...f, value: (f.value as bigint) + delta } : f);

/** A copy of a column chunk whose absolute offsets are moved by `delta` bytes. */
export function shiftChunk(cc: ThriftStruct, delta: bigint): ThriftStruct {
  // Page indexes and bloom filters lie outside the row groups' span, so they are not copied.
  return withoutPageIndexes(cc).map((f) => {
    if (f.id === CC.fileOffset) return shifted(f, delta);
    if (f.id !== CC.metaData) return f;
    const meta = withoutBloomFilter(f.value as ThriftStruct);
    const moved = [CMD.dataPageOffset, CMD.indexPageOffset, CMD.dictionaryPageOffset];
    return { ...f, value: meta.map((m) => (moved.includes(m.id) ? shifted(m, delta) : m)) };
  });
}

/** A copy of a row group whose absolute offsets are moved by `delta` bytes, as row group number `ordinal`. */
function shiftRowGroup(rg: ThriftStruct, delta: bigint, ordinal: number): ThriftStruct {
  const columns = columnChunksOf(rg).map((cc) => shiftChunk(cc, delta));
  return rg.flatMap((f): ThriftField[] => {
    if (f.id === RG.columns) return [{ ...f, value: { elemType: STRUCT, items: columns } }];
    if (f.id === RG.fileOffset) return [shifted(f, delta)];
    // ordinal is an i16: beyond that it cannot be right, and it is optional.
    if (f.id === RG.ordinal) return ordinal <= 0x7fff ? [{ ...f, value: ordinal }] : [];
    return [f];
  });
}

const utf8 = new TextEncoder();

/** The footer's key/value metadata with `extra` set (a key already there takes the new value). */
function withKeyValues(meta: ThriftStruct, extra: Readonly<Record<string, string>>): ThriftStruct {
  const keys = Object.keys(extra);
  if (!keys.length) return meta;
  const old = field(meta, FMD.keyValueMetadata);
  const kept = ((old?.value as ThriftList | undefined)?.items ?? []).filter((kv) => {
    const key = field(kv as ThriftStruct, 1)?.value;
    return !(key instanceof Uint8Array && keys.includes(new TextDecoder().decode(key)));
  });
  const added = keys.map((k): ThriftStruct => [
    { id: 1, type: BINARY, value: utf8.encode(k) },
    { id: 2, type: BINARY, value: utf8.encode(extra[k]!) },
  ]);
  const kv: ThriftField = { id: FMD.keyValueMetadata, type: LIST, value: { elemType: STRUCT, items: [...kept, ...added] } };
  const rest = meta.filter((f) => f.id !== FMD.keyValueMetadata);
  const at = rest.findIndex((f) => f.id > FMD.keyValueMetadata);
  return at < 0 ? [...rest, kv] : [...rest.slice(0, at), kv, ...rest.slice(at)];
}

/**
 * One Parquet file holding the rows of `files` in order, as parts to hand to `new Blob(parts)`:
 * the magic, a subarray of each input (no copy), and the new footer with its length and magic.
 * Schema, key/value metadata (ARROW:schema), created_by and column orders come from the first file;
 * `keyValues` adds entries of the file's own (DuckDB reads them with `parquet_kv_metadata`).
 */
export function concatParquet(files: readonly Uint8Array[], keyValues: Readonly<Record<string, string>> = {}): Uint8Array[] {
  if (!files.length) throw new Error('concatParquet needs at least one Parquet file');
  const footers = files.map(parquetFooter);
  const first = footers[0]!;
  const schema = encodeThriftStruct([field(first, FMD.schema)!]);
  const parts: Uint8Array[] = [MAGIC];
  const rowGroups: ThriftStruct[] = [];
  let offset = MAGIC.length, rows = 0n;
  footers.forEach((footer, i) => {
    if (!sameBytes(encodeThriftStruct([field(footer, FMD.schema)!]), schema)) {
      throw new Error(`Parquet file ${i + 1} has a different schema than the first; they cannot be concatenated`);
    }
    const file = files[i]!;
    const { rowGroups: groups, start, end } = rowGroupsAndSpan(footer, file.length);
    if (!groups.length) return;
    const delta = BigInt(offset - start);
    for (const rg of groups) {
      rowGroups.push(shiftRowGroup(rg, delta, rowGroups.length));
      rows += i64(rg, RG.numRows) ?? 0n;
    }
    parts.push(file.subarray(start, end));
    offset += end - start;
  });
  const meta = first.map((f): ThriftField => {
    if (f.id === FMD.numRows) return { ...f, value: rows };
    if (f.id === FMD.rowGroups) return { ...f, value: { elemType: STRUCT, items: rowGroups } };
    return f;
  });
  parts.push(footerTail(withKeyValues(meta, keyValues)));
  return parts;
}
