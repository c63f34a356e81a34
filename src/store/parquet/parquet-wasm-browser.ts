import init, * as pq from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import type { ParquetModule } from './parquet-wasm';

let ready: Promise<ParquetModule> | null = null;

/** parquet-wasm from our own assets, instantiated once, on the first export. */
export function loadParquet(): Promise<ParquetModule> {
  ready ??= init({ module_or_path: wasmUrl }).then(() => pq);
  return ready;
}
