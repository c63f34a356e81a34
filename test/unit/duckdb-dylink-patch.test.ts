import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER, TARGETS, patchDylinkStart } from '../../scripts/patch-duckdb-dylink.mjs';
import { openNodeDuckDb } from './helpers/node-duckdb';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));

/**
 * Emscripten's dynamic-linking start as duckdb-wasm 1.32's browser worker has it (the four
 * functions the patch rewrites, verbatim), over a stand-in runtime: `addFunction` counts table
 * slots, `Module` and `wasmImports` are plain objects.
 */
const RUNTIME = `
var GOT={},Module={},wasmImports={},slots=0;
var isInternalSym=e=>["__cpp_exception","__c_longjmp","__wasm_apply_data_relocs","__dso_handle","__tls_size","__tls_align","__set_stack_limits","_emscripten_tls_init","__wasm_init_tls","__wasm_call_ctors","__start_em_asm","__stop_em_asm","__start_em_js","__stop_em_js"].includes(e)||e.startsWith("__em_js__");
var addFunction=f=>++slots;
var err=m=>{throw new Error(m)};
var isSymbolDefined=e=>{var t=wasmImports[e];return!(!t||t.stub)};
var updateGOT=(e,t)=>{for(var r in e)if(!isInternalSym(r)){var n=e[r];r.startsWith("orig$")&&(r=r.split("$")[1],t=!0),GOT[r]||(GOT[r]=new WebAssembly.Global({value:"i32",mutable:!0})),(t||GOT[r].value==0)&&(typeof n=="function"?GOT[r].value=addFunction(n):typeof n=="number"?GOT[r].value=n:err("unhandled export type for '".concat(r,"': ").concat(typeof n)))}};
var registerDynCallSymbols=e=>{for(var[t,r]of Object.entries(e))t.startsWith("dynCall_")&&!Module.hasOwnProperty(t)&&(Module[t]=r)};
var mergeLibSymbols=(e,t)=>{registerDynCallSymbols(e);for(var[r,n]of Object.entries(e))(l=>{isSymbolDefined(l)||(wasmImports[l]=n)})(r)};
function applySignatureConversions(e){e=Object.assign({},e);var t=u=>_=>u(_)>>>0;return e.malloc=t(e.malloc),e}
`;

/** Links `exports` as the main module's start does, with `imported` asked for through GOT imports first. */
function link(runtime: string, exports: Record<string, unknown>, imported: string[]) {
  const run = new Function('exports', 'imported', `${runtime}
    for (const s of imported) GOT[s] = new WebAssembly.Global({ value: 'i32', mutable: true });
    updateGOT(exports);
    mergeLibSymbols(exports, 'main');
    const converted = applySignatureConversions(exports);
    return { got: Object.keys(GOT).sort(), values: Object.fromEntries(imported.map((s) => [s, GOT[s].value])), slots, dynCalls: Object.keys(Module).sort(), imports: Object.keys(wasmImports).sort(), malloc: converted.malloc(-1) };`);
  return run(exports, imported) as { got: string[]; values: Record<string, number>; slots: number; dynCalls: string[]; imports: string[]; malloc: number };
}

describe('duckdb-wasm dylink start patch (scripts/patch-duckdb-dylink.mjs)', () => {
  it('is applied to the installed files the app ships and the unit tests run', () => {
    for (const name of Object.keys(TARGETS)) expect(readFileSync(path.join(dist, name), 'utf8'), name).toContain(MARKER);
  });

  it('fills the GOT entries the module imports and creates none for the other exports', () => {
    const exports: Record<string, unknown> = { malloc: (n: number) => n, dynCall_vi: () => 0, f1: () => 1, f2: () => 2, f3: () => 3, data: 64, __wasm_call_ctors: () => 0 };
    const before = link(RUNTIME, exports, ['f2', 'data']);
    const { text, changed } = patchDylinkStart(RUNTIME, 1);
    expect(changed).toBe(true);
    const after = link(text, exports, ['f2', 'data']);
    // Unpatched: every export got a GOT entry and a table slot (75,011 of them in duckdb-wasm).
    expect(before.got).toEqual(['data', 'dynCall_vi', 'f1', 'f2', 'f3', 'malloc']);
    expect(before.slots).toBe(5);
    // Patched: only what was imported, with the same kind of value; the rest is unchanged.
    expect(after.got).toEqual(['data', 'f2']);
    expect(after.slots).toBe(1);
    expect(after.values.data).toBe(64);
    expect(after.values.f2).toBeGreaterThan(0);
    expect(after.dynCalls).toEqual(before.dynCalls);
    expect(after.imports).toEqual(before.imports);
    expect(after.malloc).toBe(before.malloc);
    expect(after.malloc).toBe(4294967295);
  });

  it('is idempotent and refuses code it does not know', () => {
    const once = patchDylinkStart(RUNTIME, 1).text;
    expect(patchDylinkStart(once, 1)).toEqual({ text: once, changed: false });
    expect(() => patchDylinkStart(RUNTIME.replace('Object.assign({},e)', 'Object.assign(Object.create(null),e)'), 1)).toThrow(/applySignatureConversions wraps in place" matched 0 times/);
    expect(() => patchDylinkStart(RUNTIME, 2)).toThrow(/expected 2/);
  });

  it('leaves a patched engine that links and answers', async () => {
    const db = await openNodeDuckDb();
    try {
      expect(await db.query(`SELECT 42::INTEGER AS x, upper('ab') AS y, list_sum([1, 2, 3])::INTEGER AS z`)).toEqual([{ x: 42, y: 'AB', z: 6 }]);
    } finally {
      await db.close();
    }
  });
});
