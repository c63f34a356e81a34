import { compress, init } from '@bokuweb/zstd-wasm';
import type { ZstdCompress } from '../../../src/store/archive/parquet-codec';

await init();

/** The same zstd build the Parquet worker loads, in Node (its `main` reads the wasm from disk). */
export const zstd: ZstdCompress = (bytes, level) => compress(bytes, level);
