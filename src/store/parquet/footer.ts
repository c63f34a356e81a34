import { decodeThriftStruct, encodeThriftStruct, type ThriftList, type ThriftStruct } from './thrift-compact';

/** Reading and writing the footer (FileMetaData in apache/parquet-format parquet.thrift) of a Parquet file. */

export const field = (s: ThriftStruct, id: number) => s.find((f) => f.id === id);
export const i64 = (s: ThriftStruct, id: number) => field(s, id)?.value as bigint | undefined;
export const without = (s: ThriftStruct, ids: number[]) => s.filter((f) => !ids.includes(f.id));

// Field ids from parquet.thrift.
export const FMD = { schema: 2, numRows: 3, rowGroups: 4, keyValueMetadata: 5 };
export const RG = { columns: 1, totalByteSize: 2, numRows: 3, fileOffset: 5, totalCompressedSize: 6, ordinal: 7 };
export const CC = { fileOffset: 2, metaData: 3, offsetIndexOffset: 4, offsetIndexLength: 5, columnIndexOffset: 6, columnIndexLength: 7, encryptedMetaData: 9 };
export const CMD = { codec: 4, totalUncompressedSize: 6, totalCompressedSize: 7, dataPageOffset: 9, indexPageOffset: 10, dictionaryPageOffset: 11, bloomFilterOffset: 14, bloomFilterLength: 15 };

export const MAGIC = new TextEncoder().encode('PAR1');

/** The decoded FileMetaData of a Parquet file, after checking the magic on both ends. */
export function parquetFooter(file: Uint8Array): ThriftStruct {
  const tail = file.subarray(file.length - 4);
  if (file.length < 12 || !sameBytes(file.subarray(0, 4), MAGIC) || !sameBytes(tail, MAGIC)) {
    throw new Error(new TextDecoder().decode(tail) === 'PARE' ? 'Encrypted Parquet cannot be rewritten' : 'Not a Parquet file');
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getUint32(file.length - 8, true);
  if (length > file.length - 12) throw new Error('Parquet footer length is out of range');
  return decodeThriftStruct(file.subarray(file.length - 8 - length, file.length - 8));
}

export function parquetRowCount(file: Uint8Array): number {
  return Number(i64(parquetFooter(file), FMD.numRows) ?? 0n);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What follows the row groups: the encoded footer, its length and the magic. */
export function footerTail(meta: ThriftStruct): Uint8Array {
  const footer = encodeThriftStruct(meta);
  const tail = new Uint8Array(footer.length + 8);
  tail.set(footer);
  new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
  tail.set(MAGIC, footer.length + 4);
  return tail;
}

export const rowGroupsOf = (footer: ThriftStruct): ThriftStruct[] =>
  ((field(footer, FMD.rowGroups)?.value as ThriftList | undefined)?.items ?? []) as ThriftStruct[];

export const columnChunksOf = (rg: ThriftStruct): ThriftStruct[] => (field(rg, RG.columns)!.value as ThriftList).items as ThriftStruct[];

/** A column chunk's ColumnMetaData; `doing` names what cannot be done without it, for the error. */
export function chunkMetaData(cc: ThriftStruct, doing: string): ThriftStruct {
  const meta = field(cc, CC.metaData)?.value as ThriftStruct | undefined;
  if (!meta || field(cc, CC.encryptedMetaData)) throw new Error(`Parquet column chunk without plain metadata cannot be ${doing}`);
  return meta;
}

/**
 * The byte span [start, end) of a column chunk's pages. A chunk starts at its dictionary page when
 * it has one, else at its first data page; 0 for an optional offset means "absent" for some
 * writers, it is never a page (the magic is there).
 */
export function chunkSpan(meta: ThriftStruct): { start: number; end: number } {
  const firsts = [CMD.dataPageOffset, CMD.indexPageOffset, CMD.dictionaryPageOffset].map((id) => Number(i64(meta, id) ?? 0n)).filter((o) => o > 0);
  const start = Math.min(...firsts);
  return { start, end: start + Number(i64(meta, CMD.totalCompressedSize)) };
}

/**
 * Page indexes (ColumnIndex/OffsetIndex) and bloom filters lie between the last row group and the
 * footer: a file rewritten from its row groups drops their offsets rather than relocating them.
 * Readers then do without them; the data and the per-chunk statistics stay whole.
 */
export const withoutPageIndexes = (cc: ThriftStruct) => without(cc, [CC.offsetIndexOffset, CC.offsetIndexLength, CC.columnIndexOffset, CC.columnIndexLength]);
export const withoutBloomFilter = (meta: ThriftStruct) => without(meta, [CMD.bloomFilterOffset, CMD.bloomFilterLength]);
