import type { ParquetModule } from './parquet-export';
import type { ParquetCodec } from './snapshot';

/** parquet-wasm as a codec: Arrow IPC stream ⇄ zstd Parquet. Timestamps stay as they are. */
export function parquetCodec(pq: ParquetModule): ParquetCodec {
  return {
    async write(ipc) {
      const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).build();
      return pq.writeParquet(pq.Table.fromIPCStream(ipc), props);
    },
    async read(parquet) {
      return pq.readParquet(parquet).intoIPCStream();
    },
  };
}
