import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { COI_WORKER, MARKER, patchCoiWorker } from '../../scripts/patch-duckdb-coi.mjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The workaround for duckdb-wasm#2256 is in the worker the app serves, and only where it fits. */
describe('duckdb-wasm coi worker patch', () => {
  it('is installed: Module.HEAP* are refreshing accessors in the coi worker', () => {
    const text = readFileSync(COI_WORKER, 'utf8');
    expect(text).toContain(MARKER);
    expect(text).toContain('Object.defineProperty(Module,"HEAPU8",{get:GROWABLE_HEAP_U8');
    expect(() => new Function(text)).not.toThrow();
  });

  it('patches the emscripten view code once, and refuses code it does not know', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coi-patch-'));
    const original = 'x();function updateMemoryViews(){var e=wasmMemory.buffer;Module.HEAP8=HEAP8=new Int8Array(e),Module.HEAP16=HEAP16=new Int16Array(e),Module.HEAPU8=HEAPU8=new Uint8Array(e),Module.HEAPU16=HEAPU16=new Uint16Array(e),Module.HEAP32=HEAP32=new Int32Array(e),Module.HEAPU32=HEAPU32=new Uint32Array(e),Module.HEAPF32=HEAPF32=new Float32Array(e),Module.HEAPF64=HEAPF64=new Float64Array(e)}y();';
    const file = path.join(dir, 'w.js');
    writeFileSync(file, original);
    expect(patchCoiWorker(file)).toBe('patched');
    const once = readFileSync(file, 'utf8');
    expect(patchCoiWorker(file)).toBe('already patched');
    expect(readFileSync(file, 'utf8')).toBe(once);
    // The patched code keeps working views: the getter refreshes them after the memory grew.
    const run = new Function(`
      var Module = {}, HEAP8, HEAP16, HEAPU8, HEAPU16, HEAP32, HEAPU32, HEAPF32, HEAPF64;
      var wasmMemory = { buffer: new ArrayBuffer(8) };
      ${['I8', 'I16', 'U8', 'U16', 'I32', 'U32', 'F32', 'F64'].map((g) => `function GROWABLE_HEAP_${g}(){return wasmMemory.buffer!=HEAP8.buffer&&updateMemoryViews(),${g === 'I8' ? 'HEAP8' : g === 'U8' ? 'HEAPU8' : g === 'I16' ? 'HEAP16' : g === 'U16' ? 'HEAPU16' : g === 'I32' ? 'HEAP32' : g === 'U32' ? 'HEAPU32' : g === 'F32' ? 'HEAPF32' : 'HEAPF64'}}`).join('\n')}
      function x(){} function y(){}
      ${once.slice(once.indexOf('function updateMemoryViews'), once.lastIndexOf('y();'))}
      updateMemoryViews();
      var before = Module.HEAPU8.length;
      wasmMemory.buffer = new ArrayBuffer(64); // another thread grew the memory
      return [before, Module.HEAPU8.length, Module.HEAPF64.length];
    `);
    expect(run()).toEqual([8, 64, 8]);

    writeFileSync(file, 'function updateMemoryViews(){something else}');
    expect(() => patchCoiWorker(file)).toThrow(/duckdb-wasm#2256/);
  });
});
