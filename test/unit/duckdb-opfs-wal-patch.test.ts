import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER, TARGETS, patchOpfsWal } from '../../scripts/patch-duckdb-opfs-wal.mjs';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));

/**
 * The three file-system callbacks of duckdb-wasm 1.32's browser worker the patch changes, with
 * their first statements verbatim, over a stand-in runtime `X`: `_files` holds fake OPFS access
 * handles that record truncations, `getFileInfo` and `te` name the file by its id.
 */
const RUNTIME = `
var names={},X={_files:new Map,_fileInfoCache:new Map,getFileInfo:(o,e)=>({fileName:names[e],dataProtocol:3})},te=(o,e,t)=>names[e];
var rt={openFile:(o,e,t)=>{var r,n,a,l,c,u;try{X._fileInfoCache.delete(e);let _=X.getFileInfo(o,e);return X._files.get(_.fileName).getSize()}catch(_){return 0}},
closeFile:(o,e)=>{var r;let t=X.getFileInfo(o,e);X._fileInfoCache.delete(e);return X._files.get(t.fileName).flush()},
checkFile:(o,e,t)=>{try{let r=te(o,e,t);return X._files.has(r)}catch(r){return!1}return!1},
writeFile:(o,e,t,r,n)=>{var l;let a=X.getFileInfo(o,e);switch(a==null?void 0:a.dataProtocol){case 3:{let c=(l=X._files)==null?void 0:l.get(a.fileName);if(!c)throw new Error("No OPFS access handle registered with name: ".concat(a.fileName));let u=o.HEAPU8.subarray(t,t+r);return c.write(u,{at:n})}}return 0}};
`;

/** A file system of fake handles and the worker's callbacks over it. */
function worker(source: string) {
  return new Function(`${source}
    const handle = (size) => ({ size, truncations: [], getSize() { return this.size; }, truncate(n) { this.size = n; this.truncations.push(n); }, flush() {},
      write(bytes, { at }) { this.size = Math.max(this.size, at + bytes.length); return bytes.length; } });
    let id = 0;
    const file = (name, size) => { names[++id] = name; X._files.set(name, handle(size)); return id; };
    return { rt, file, handle: (name) => X._files.get(name) };`)() as {
    rt: {
      openFile(o: null, id: number, flags: number): number;
      closeFile(o: null, id: number): void;
      checkFile(o: null, id: number, len: number): boolean;
      writeFile(o: { HEAPU8: Uint8Array }, id: number, ptr: number, bytes: number, at: number): number;
    };
    file(name: string, size: number): number;
    handle(name: string): { size: number; truncations: number[] };
  };
}

const READ = 1 | 128;
const WRITE_APPEND = 2 | 8 | 32;

describe('duckdb-wasm OPFS write-ahead log patch (scripts/patch-duckdb-opfs-wal.mjs)', () => {
  it('is applied to the browser workers that open OPFS files', () => {
    for (const name of TARGETS) expect(readFileSync(path.join(dist, name), 'utf8'), name).toContain(MARKER);
  });

  it("empties the log where a checkpoint removes it: its writer closed, then DuckDB's existence check", () => {
    const plain = worker(RUNTIME);
    const { text } = patchOpfsWal(RUNTIME);
    const patched = worker(text);
    for (const w of [plain, patched]) {
      const wal = w.file('opfs://t.duckdb.wal', 0);
      w.rt.openFile(null, wal, WRITE_APPEND);
      w.handle('opfs://t.duckdb.wal').size = 10_992_210; // a log of 100 k rows, checkpointed
      w.rt.closeFile(null, wal);
      expect(w.rt.checkFile(null, wal, 0)).toBe(true);
    }
    // Unpatched the stale log stays, and the next writer opens it at its old size.
    expect(plain.handle('opfs://t.duckdb.wal').size).toBe(10_992_210);
    expect(patched.handle('opfs://t.duckdb.wal').truncations).toEqual([0]);
  });

  it('leaves a log being replayed alone, and empties it when it is opened for writing a second time', () => {
    const w = worker(patchOpfsWal(RUNTIME).text);
    const wal = w.file('opfs://t.duckdb.wal', 112_124);
    const db = w.file('opfs://t.duckdb', 2_371_584);
    // Reopen: the log is read for replay, then written by the checkpoint that follows.
    expect(w.rt.openFile(null, wal, READ)).toBe(112_124);
    expect(w.rt.openFile(null, wal, WRITE_APPEND)).toBe(112_124);
    w.rt.closeFile(null, db);
    w.rt.checkFile(null, db, 0);
    expect(w.handle('opfs://t.duckdb.wal').truncations).toEqual([]);
    // The writer after that checkpoint starts an empty log.
    expect(w.rt.openFile(null, wal, WRITE_APPEND)).toBe(0);
    expect(w.handle('opfs://t.duckdb.wal').truncations).toEqual([0]);
    expect(w.handle('opfs://t.duckdb').truncations).toEqual([]);
  });

  it("empties the log once a checkpoint has written the database's header, after a replay too", () => {
    const wasm = { HEAPU8: new Uint8Array(256 * 1024) };
    for (const [patch, emptied] of [[false, []], [true, [0]]] as const) {
      const w = worker(patch ? patchOpfsWal(RUNTIME).text : RUNTIME);
      const wal = w.file('opfs://t.duckdb.wal', 112_124);
      const db = w.file('opfs://t.duckdb', 2_371_584);
      // A reopen replays the log; duckdb-wasm keeps its reader registered, so a checkpoint then
      // closes no writer and checks no file that the worker sees (e2e table-file-log, round 2).
      w.rt.openFile(null, wal, READ);
      w.rt.openFile(null, wal, WRITE_APPEND);
      w.rt.writeFile(wasm, wal, 0, 49, 112_124); // the checkpoint's mark in the log
      w.rt.writeFile(wasm, db, 0, 256 * 1024, 12_288); // its blocks
      w.rt.writeFile(wasm, wal, 0, 4096, 4096); // a log's write of the header's size: not a header
      expect(w.handle('opfs://t.duckdb.wal').truncations).toEqual([]);
      w.rt.writeFile(wasm, db, 0, 4096, 8192); // the database header: the checkpoint holds
      expect(w.handle('opfs://t.duckdb.wal').truncations).toEqual(emptied);
      expect(w.handle('opfs://t.duckdb').truncations).toEqual([]);
    }
  });

  it('does not empty a closed log that is opened again before the check', () => {
    const w = worker(patchOpfsWal(RUNTIME).text);
    const wal = w.file('opfs://t.duckdb.wal', 500);
    w.rt.closeFile(null, wal);
    w.rt.openFile(null, wal, READ);
    w.rt.checkFile(null, wal, 0);
    expect(w.handle('opfs://t.duckdb.wal').truncations).toEqual([]);
  });

  it('is idempotent, and refuses code it does not know', () => {
    const once = patchOpfsWal(RUNTIME).text;
    expect(patchOpfsWal(once)).toEqual({ text: once, changed: false });
    expect(() => patchOpfsWal(RUNTIME.replace('checkFile', 'fileExists'))).toThrow(/checkFile empties a closed .wal/);
  });
});
