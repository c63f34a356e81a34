/**
 * Compressing the pages of an uncompressed Parquet file with a codec and level of our choosing.
 *
 * parquet-wasm (arrow-rs) writes zstd at level 1 only: its JS API takes a codec, not a level.
 * On the 1.6 M bench toots, levels matter: native DuckDB writing the same rows measured 151 B per
 * toot at zstd level 1, 127 at 6, 122 at 9 and 116 at 12. So the writer writes UNCOMPRESSED and
 * this module compresses each page body itself and writes the file anew: page headers with their
 * new sizes, column chunks with their new codec, sizes and offsets, and the footer. No value is
 * decoded. Readers (DuckDB, parquet-wasm, pyarrow, Spark) see an ordinary zstd Parquet file.
 *
 * Page indexes (ColumnIndex/OffsetIndex) and bloom filters are dropped, as concat.ts drops
 * them: their offsets would point at the old layout. The chunk statistics stay.
 */
import { decodeThriftStructAt, encodeThriftStruct, type ThriftField, type ThriftStruct } from './thrift-compact';
import {
  CC, CMD, FMD, MAGIC, RG, chunkMetaData, chunkSpan, columnChunksOf, field, footerTail, i64, parquetFooter, rowGroupsOf, without,
  withoutBloomFilter, withoutPageIndexes,
} from './footer';

/** CompressionCodec in parquet.thrift. */
const CODEC = { UNCOMPRESSED: 0, ZSTD: 6 } as const;

// PageHeader and DataPageHeaderV2 field ids, and PageType values, from parquet.thrift.
const PH = { type: 1, uncompressedSize: 2, compressedSize: 3, crc: 4, dataPageV2: 8 };
const V2 = { defLevelsLength: 5, repLevelsLength: 6, isCompressed: 7 };
const DATA_PAGE_V2 = 3;

export type PageCompressor = (body: Uint8Array) => Uint8Array;

const setField = (s: ThriftStruct, id: number, value: ThriftField['value'], type: number): ThriftStruct => {
  const rest = s.filter((f) => f.id !== id);
  const at = rest.findIndex((f) => f.id > id);
  const f: ThriftField = { id, type, value };
  return at < 0 ? [...rest, f] : [...rest.slice(0, at), f, ...rest.slice(at)];
};
const I32 = 5, I64 = 6, BOOL_TRUE = 1;

/** One page, compressed: its new header and body. */
function compressPage(header: ThriftStruct, body: Uint8Array, compress: PageCompressor): Uint8Array[] {
  let h = without(header, [PH.crc]); // a CRC of the uncompressed bytes would no longer match
  let out: Uint8Array[];
  if (field(h, PH.type)?.value === DATA_PAGE_V2) {
    // V2 pages keep their levels uncompressed in front of the values.
    const v2 = field(h, PH.dataPageV2)!.value as ThriftStruct;
    const levels = ((field(v2, V2.defLevelsLength)?.value as number | undefined) ?? 0) + ((field(v2, V2.repLevelsLength)?.value as number | undefined) ?? 0);
    out = [body.subarray(0, levels), compress(body.subarray(levels))];
    h = setField(h, PH.dataPageV2, setField(v2, V2.isCompressed, true, BOOL_TRUE), 12);
  } else {
    out = [compress(body)];
  }
  h = setField(h, PH.compressedSize, out.reduce((n, b) => n + b.length, 0), I32);
  return [encodeThriftStruct(h), ...out];
}

/**
 * The same Parquet file with every page compressed by `compress` (zstd), as parts to join
 * (`new Blob(parts)` or one copy). The input must be written UNCOMPRESSED.
 */
export function recompressParquet(file: Uint8Array, compress: PageCompressor): Uint8Array[] {
  const footer = parquetFooter(file);
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const newGroups = rowGroupsOf(footer).map((rg) => {
    const groupStart = offset;
    const columns = columnChunksOf(rg).map((cc) => {
      const meta = chunkMetaData(cc, 'recompressed');
      if (field(meta, CMD.codec)?.value !== CODEC.UNCOMPRESSED) throw new Error('recompressParquet needs an uncompressed Parquet file');
      const dict = Number(i64(meta, CMD.dictionaryPageOffset) ?? 0n);
      const data = Number(i64(meta, CMD.dataPageOffset));
      const { start, end } = chunkSpan(meta);
      if (!(start >= MAGIC.length && end <= file.length - 8)) throw new Error('Parquet column chunk lies outside the file');
      const chunkStart = offset;
      let newDict = 0, newData = 0, uncompressed = 0;
      for (let pos = start; pos < end;) {
        const { struct: header, end: bodyAt } = decodeThriftStructAt(file, pos);
        const size = field(header, PH.compressedSize)!.value as number;
        const body = file.subarray(bodyAt, bodyAt + size);
        if (body.length !== size || bodyAt + size > end) throw new Error('Parquet page runs past its column chunk');
        if (pos === dict) newDict = offset;
        if (pos === data) newData = offset;
        const page = compressPage(header, body, compress);
        for (const p of page) parts.push(p);
        offset += page.reduce((n, p) => n + p.length, 0);
        uncompressed += page[0]!.length + (field(header, PH.uncompressedSize)!.value as number);
        pos = bodyAt + size;
      }
      if (!newData) throw new Error('Parquet data page offset is not at a page');
      let m = without(withoutBloomFilter(meta), [CMD.indexPageOffset]);
      m = setField(m, CMD.codec, CODEC.ZSTD, I32);
      m = setField(m, CMD.totalUncompressedSize, BigInt(uncompressed), I64);
      m = setField(m, CMD.totalCompressedSize, BigInt(offset - chunkStart), I64);
      m = setField(m, CMD.dataPageOffset, BigInt(newData), I64);
      if (newDict) m = setField(m, CMD.dictionaryPageOffset, BigInt(newDict), I64);
      const c = withoutPageIndexes(cc);
      // file_offset: deprecated, arrow-rs writes the chunk's start.
      return setField(setField(c, CC.metaData, m, 12), CC.fileOffset, BigInt(chunkStart), I64);
    });
    let g = setField(rg, RG.columns, { elemType: 12, items: columns }, 9);
    if (field(g, RG.fileOffset)) g = setField(g, RG.fileOffset, BigInt(groupStart), I64);
    if (field(g, RG.totalCompressedSize)) g = setField(g, RG.totalCompressedSize, BigInt(offset - groupStart), I64);
    return g;
  });
  parts.push(footerTail(footer.map((f): ThriftField => (f.id === FMD.rowGroups ? { ...f, value: { elemType: 12, items: newGroups } } : f))));
  return parts;
}
