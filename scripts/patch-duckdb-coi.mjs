/**
 * Workaround for duckdb-wasm#2256 (open, seen with 1.32.0): in the threaded "coi" worker, the
 * bindings copy queries, Arrow inserts and results through `Module.HEAPU8` / `Module.HEAPF64`,
 * views that go stale when a DuckDB thread grew the shared memory. Copies into the heap then
 * throw "RangeError: offset is out of bounds"; copies out of it can come back short.
 * Emscripten's own code avoids this with GROWABLE_HEAP_*() accessors, which refresh the views
 * when the memory grew. This patch makes `Module.HEAP*` such accessors too.
 *
 * Runs on `npm install` (postinstall). Idempotent. Fails loudly if the worker no longer has the
 * code it patches (a new duckdb-wasm): check whether #2256 is fixed there, then drop or adapt this.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
export const COI_WORKER = path.join(path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js')), 'duckdb-browser-coi.worker.js');
export const MARKER = '__tootscopeGrowableViews';

const VIEWS = ['HEAP8:I8', 'HEAP16:I16', 'HEAPU8:U8', 'HEAPU16:U16', 'HEAP32:I32', 'HEAPU32:U32', 'HEAPF32:F32', 'HEAPF64:F64'];
const ORIGINAL =
  'function updateMemoryViews(){var e=wasmMemory.buffer;' +
  VIEWS.map((v) => {
    const [name] = v.split(':');
    const ctor = { HEAP8: 'Int8Array', HEAP16: 'Int16Array', HEAPU8: 'Uint8Array', HEAPU16: 'Uint16Array', HEAP32: 'Int32Array', HEAPU32: 'Uint32Array', HEAPF32: 'Float32Array', HEAPF64: 'Float64Array' }[name];
    return `Module.${name}=${name}=new ${ctor}(e)`;
  }).join(',') +
  '}';
const PATCHED =
  'function updateMemoryViews(){var e=wasmMemory.buffer;' +
  ORIGINAL.slice(ORIGINAL.indexOf(';') + 1, -1).replace(/Module\.(HEAP\w+)=/g, '') +
  `;if(!Module.${MARKER}){Module.${MARKER}=1;` +
  VIEWS.map((v) => {
    const [name, g] = v.split(':');
    return `Object.defineProperty(Module,"${name}",{get:GROWABLE_HEAP_${g},set(){},configurable:!0})`;
  }).join(';') +
  '}}';

export function patchCoiWorker(file = COI_WORKER) {
  const text = readFileSync(file, 'utf8');
  if (text.includes(MARKER)) return 'already patched';
  const at = text.indexOf(ORIGINAL);
  if (at < 0 || text.indexOf(ORIGINAL, at + 1) >= 0) {
    throw new Error(`${file}: updateMemoryViews is not the code this workaround for duckdb-wasm#2256 patches (a new duckdb-wasm?). See scripts/patch-duckdb-coi.mjs.`);
  }
  writeFileSync(file, text.slice(0, at) + PATCHED + text.slice(at + ORIGINAL.length));
  return 'patched';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`duckdb-wasm coi worker: ${patchCoiWorker()} (workaround for duckdb-wasm#2256)`);
}
