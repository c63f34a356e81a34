/**
 * One Parquet file from two with the same rows: `base`, with the column chunks that `replacement`
 * also holds taken from `replacement` instead. No page is decoded; both files' row-group bytes are
 * copied and a new footer names the chunks where they now sit.
 *
 * The export uses it for segments stored with derived columns left out (archive/segment-form.ts): only
 * those few columns are encoded afresh, the rest of each row group is copied as stored.
 */

import { rowGroupsAndSpan, shiftChunk } from './concat';
import { CMD, FMD, RG, chunkMetaData, columnChunksOf, field, footerTail, i64, parquetFooter, sameBytes } from './footer';
import { STRUCT, encodeThriftStruct, type ThriftField, type ThriftList, type ThriftStruct } from './thrift-compact';

const decoder = new TextDecoder();
/** ColumnMetaData's `path_in_schema`. */
const PATH = 3;
/** SchemaElement's `name` and `num_children`. */
const NAME = 4, NUM_CHILDREN = 5;

function pathOf(meta: ThriftStruct): string {
  return ((field(meta, PATH)!.value as ThriftList).items as Uint8Array[]).map((p) => decoder.decode(p)).join('.');
}

/**
 * The top-level fields of a schema (SchemaElement list, depth first) by name, each encoded whole:
 * two files agree on a column when its element (type, repetition, logical type) is the same.
 */
function topLevelFields(footer: ThriftStruct): Map<string, Uint8Array> {
  const elements = (field(footer, FMD.schema)!.value as ThriftList).items as ThriftStruct[];
  const out = new Map<string, Uint8Array>();
  let at = 1;
  const skip = (): void => {
    const children = Number(field(elements[at++]!, NUM_CHILDREN)?.value ?? 0);
    for (let c = 0; c < children; c++) skip();
  };
  while (at < elements.length) {
    const el = elements[at]!;
    out.set(decoder.decode(field(el, NAME)!.value as Uint8Array), encodeThriftStruct(el));
    skip();
  }
  return out;
}

const sum = (chunks: ThriftStruct[], id: number) => chunks.reduce((n, cc) => n + (i64(chunkMetaData(cc, 'spliced'), id) ?? 0n), 0n);

export function spliceColumns(base: Uint8Array, replacement: Uint8Array): Uint8Array {
  const baseFooter = parquetFooter(base);
  const replacementFooter = parquetFooter(replacement);
  const b = rowGroupsAndSpan(baseFooter, base.length);
  const r = rowGroupsAndSpan(replacementFooter, replacement.length);
  const baseFields = topLevelFields(baseFooter);
  for (const [name, el] of topLevelFields(replacementFooter)) {
    const theirs = baseFields.get(name);
    if (!theirs || !sameBytes(theirs, el)) throw new Error(`spliced column ${name} differs from the base file's (type or nullability)`);
  }
  if (b.rowGroups.length !== r.rowGroups.length) throw new Error('spliced Parquet files have different row groups');
  const delta = BigInt(b.end - r.start);
  const rowGroups = b.rowGroups.map((rg, g) => {
    const other = r.rowGroups[g]!;
    if (i64(rg, RG.numRows) !== i64(other, RG.numRows)) throw new Error(`spliced Parquet files differ in the rows of row group ${g}`);
    const byPath = new Map(columnChunksOf(other).map((cc) => [pathOf(chunkMetaData(cc, 'spliced')), cc]));
    let used = 0;
    const columns = columnChunksOf(rg).map((cc) => {
      const meta = chunkMetaData(cc, 'spliced');
      const instead = byPath.get(pathOf(meta));
      // Not moved, but its page indexes go: they lie past the row groups, which is all that is copied.
      if (!instead) return shiftChunk(cc, 0n);
      used++;
      return shiftChunk(instead, delta);
    });
    if (used !== byPath.size) throw new Error('the replacement holds a column the base file lacks');
    return rg.map((f): ThriftField => {
      if (f.id === RG.columns) return { ...f, value: { elemType: STRUCT, items: columns } };
      if (f.id === RG.totalByteSize) return { ...f, value: sum(columns, CMD.totalUncompressedSize) };
      if (f.id === RG.totalCompressedSize) return { ...f, value: sum(columns, CMD.totalCompressedSize) };
      return f;
    });
  });
  const meta = baseFooter.map((f): ThriftField => (f.id === FMD.rowGroups ? { ...f, value: { elemType: STRUCT, items: rowGroups } } : f));
  const tail = footerTail(meta);
  const out = new Uint8Array(b.end + (r.end - r.start) + tail.length);
  out.set(base.subarray(0, b.end));
  out.set(replacement.subarray(r.start, r.end), b.end);
  out.set(tail, b.end + r.end - r.start);
  return out;
}
