/**
 * duckdb-wasm 1.32 is an Emscripten MAIN_MODULE (built for dynamically loaded extensions) that
 * exports 75,011 symbols, and Emscripten's dynamic-linking start walks all of them in JavaScript:
 * `updateGOT` makes a WebAssembly.Global and a function-table slot for every export, whether or
 * not anything imports it, and two more loops copy them through `Object.entries` pairs. That is
 * 0.4–0.8 s of each DuckDB start, in the page (a CPU profile of the worker: updateGOT, addFunction,
 * mergeLibSymbols, registerDynCallSymbols, applySignatureConversions, reportUndefinedSymbols) and
 * in Node (instantiation 1.2–1.8 s → 0.8–1.0 s, 130 MB less resident), and it is what issue 16's
 * "ready in a second" and the test suite's ~150 DuckDB starts pay. Upstream: emscripten#9791
 * (large MAIN_MODULE start-up overhead, closed as won't fix).
 *
 * The patch keeps what the linker does and drops only the walk over symbols nobody asked for:
 * - `updateGOT` fills the GOT entries that exist (the module's own GOT imports) and creates no
 *   others. An entry a later side module asks for is made then by the GOT proxy, and
 *   `reportUndefinedSymbols` resolves it from `wasmImports` as it does any undefined symbol, so
 *   loading an extension still links (Tootscope loads none: autoload is off).
 * - `applySignatureConversions` wraps a handful of exports on the object relocateExports has just
 *   built for it, instead of first copying all 75,011.
 * - `registerDynCallSymbols` and `mergeLibSymbols` visit the same keys with `for…in` instead of
 *   allocating a pair (and a closure) per export.
 *
 * Runs on `npm install` (postinstall), on the browser workers the app ships and the Node bundle
 * the unit tests run. Idempotent (a marker comment). Fails the install if a file no longer has the
 * code it patches (a new duckdb-wasm or Emscripten): then check emscripten#9791 and adapt or drop.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));

/** File → how many Emscripten runtimes it holds (the blocking bundle carries both mvp and eh). */
export const TARGETS = {
  'duckdb-browser-eh.worker.js': 1,
  'duckdb-browser-mvp.worker.js': 1,
  'duckdb-node-blocking.cjs': 2,
};
export const MARKER = '/* tootscope: emscripten dylink start patched (scripts/patch-duckdb-dylink.mjs) */';

const REWRITES = [
  {
    name: 'updateGOT creates no GOT entry nobody imports',
    from: /GOT\[(\w+)\]\|\|\(GOT\[\1\]=new WebAssembly\.Global\(\{value:"i32",mutable:!0\}\)\),\((\w+)\|\|GOT\[\1\]\.value==0\)&&/g,
    to: (_m, sym, replace) => `GOT[${sym}]&&(${replace}||GOT[${sym}].value==0)&&`,
  },
  {
    name: 'applySignatureConversions wraps in place',
    from: /function applySignatureConversions\((\w+)\)\{\1=Object\.assign\(\{\},\1\);/g,
    to: (_m, e) => `function applySignatureConversions(${e}){`,
  },
  {
    name: 'registerDynCallSymbols visits keys',
    from: /registerDynCallSymbols=(\w)=>\{for\(var\[(\w),(\w)\]of Object\.entries\(\1\)\)\2\.startsWith\("dynCall_"\)&&!Module\.hasOwnProperty\(\2\)&&\(Module\[\2\]=\3\)\}/g,
    to: (_m, e, k) => `registerDynCallSymbols=${e}=>{for(var ${k} in ${e})${k}.startsWith("dynCall_")&&!Module.hasOwnProperty(${k})&&(Module[${k}]=${e}[${k}])}`,
  },
  {
    name: 'mergeLibSymbols visits keys',
    from: /for\(var\[(\w),(\w)\]of Object\.entries\((\w)\)\)\((\w)=>\{isSymbolDefined\(\4\)\|\|\(wasmImports\[\4\]=\2\)\}\)\(\1\)/g,
    to: (_m, k, _v, e) => `for(var ${k} in ${e})isSymbolDefined(${k})||(wasmImports[${k}]=${e}[${k}])`,
  },
];

/** The patched text, or an error naming what was not found `runtimes` times. */
export function patchDylinkStart(text, runtimes, file = 'source') {
  if (text.includes(MARKER)) return { text, changed: false };
  let out = text;
  for (const r of REWRITES) {
    let n = 0;
    out = out.replace(r.from, (...m) => {
      n++;
      return r.to(...m);
    });
    if (n !== runtimes) {
      throw new Error(`${file}: "${r.name}" matched ${n} times, expected ${runtimes}: not the Emscripten code scripts/patch-duckdb-dylink.mjs patches (a new duckdb-wasm?). See emscripten#9791.`);
    }
  }
  return { text: `${out}\n${MARKER}\n`, changed: true };
}

export function patchInstalled() {
  return Object.entries(TARGETS).map(([name, runtimes]) => {
    const file = path.join(dist, name);
    const { text, changed } = patchDylinkStart(readFileSync(file, 'utf8'), runtimes, file);
    if (changed) writeFileSync(file, text);
    return `${name}: ${changed ? 'patched' : 'already patched'}`;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of patchInstalled()) console.log(`duckdb-wasm dylink start: ${line}`);
}
