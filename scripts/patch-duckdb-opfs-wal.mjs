/**
 * duckdb-wasm 1.32 never empties the write-ahead log of a database file in OPFS, and so loses
 * every commit made after a checkpoint. DuckDB 1.4 ends a checkpoint by removing the `.wal`
 * (`StorageManager::WALFinishCheckpoint`: `TryRemoveFile`) and starts the next log in a new file.
 * In the browser the removal does nothing: the worker's `checkFile` says the file is there, and
 * no `removeFile` reaches the OPFS handle. The next log then opens the old file at its full size
 * and, its writes starting at byte 0, overwrites the old log from the front without the header a
 * new log starts with. On the next open DuckDB cannot read it and drops it: measured with
 * `node bench/storage-probe/wal-run.mjs` (headless Chromium, eh bundle), 100,000 rows, CHECKPOINT,
 * 1,000 rows committed, reload: 100,000 rows. The `.wal` also stays at the largest size it ever
 * had: ~180 MB, 113 B a toot at 1.6 M (docs/BENCHMARKS.md, thirteenth and fourteenth sessions).
 * duckdb-wasm 1.33's development builds empty it (thirteenth session). Upstream: duckdb-wasm#2192
 * is the durability issue of the 1.33 builds; no issue names this one.
 *
 * The patch empties the `.wal` (truncates the OPFS handle to 0 bytes and flushes it) where DuckDB
 * means to remove it, so the next log starts empty with its header and a reopen replays it:
 * - when the log's writer has just been closed (`closeFile`) and DuckDB asks whether the file
 *   exists (`checkFile`) with no open of it in between: `TryRemoveFile` after a checkpoint, so
 *   nothing stale is left at rest. A log read for replay is opened, not checked.
 * - when the worker opens the log for writing a second time: DuckDB writes a log once per
 *   checkpoint, and the second writer is the one after it. After a replay the first writer is the
 *   checkpoint's, whose removal `checkFile` does not see (the replay's reader still holds the file
 *   in DuckDB's file system, which answers without asking the worker).
 * - when a checkpoint writes the database's header (4 KiB at 4 or 8 KiB, after its blocks; the
 *   checkpoint holds from then on): the only one of the three that still reaches the worker once
 *   a log was opened at the start. That reader stays registered for the engine's life (it opens
 *   with the 16 bytes of `prepareLog` too), so each checkpoint of such an engine closed no writer
 *   and checked no file the worker saw, and left the log whole at rest until the next commit
 *   (e2e table-file-log, second round: 1.8 MB after the page hide, read in full by the next open).
 *   DuckDB 1.4 writes its mark into the log and closes it when a checkpoint starts
 *   (`StorageManager::WALStartCheckpoint`), sends commits made during the checkpoint to a
 *   `.checkpoint.wal`, and removes the log after the header when that file was never written
 *   (`WALFinishCheckpoint`). The worker runs one statement at a time, so nothing commits during a
 *   checkpoint and the log holds nothing the new header does not cover.
 * Two things the app does around it (src/store/table-file.ts, src/db/opfs-file.ts `prepareLog`):
 * - A log replayed at an open would still be overwritten from the front by the first write after
 *   it, so the app checkpoints right after opening a file whose log is not empty: the first
 *   writer is then the checkpoint's.
 * - 1.32 fails every commit to a database opened beside an empty log, so the app writes 16 zero
 *   bytes into an empty log before the open: DuckDB drops that as a log cut off at its first byte.
 * Measured with `node bench/storage-probe/wal-run.mjs` (see wal-probe.ts for its modes).
 *
 * Runs on `npm install` (postinstall) on the browser workers that can open OPFS files (eh, mvp).
 * Idempotent (a marker comment). Fails the install if a worker no longer has the code it patches
 * (a new duckdb-wasm): then check whether the log is still left behind and adapt or drop.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));

export const TARGETS = ['duckdb-browser-eh.worker.js', 'duckdb-browser-mvp.worker.js'];
export const MARKER = '/* tootscope: OPFS write-ahead log emptied after a checkpoint (scripts/patch-duckdb-opfs-wal.mjs) */';

/** The set of `.wal` names whose writer closed since they were last opened, on the runtime object. */
const RETIRED = '__tootscopeRetiredWal';
/** The set of `.wal` names this worker has opened for writing. */
const WRITTEN = '__tootscopeWrittenWal';

/** DuckDB's database headers: 4 KiB each, the two that a checkpoint alternates between at 4 and 8 KiB. */
const HEADER_BYTES = 4096;

/** Code that truncates the OPFS access handle `rt._files` holds for the file named `name` and flushes it. */
const empty = (rt, name) => `{let h=${rt}._files.get(${name});h&&h.truncate&&(h.truncate(0),h.flush())}`;

const REWRITES = [
  {
    name: 'closeFile marks a closed .wal',
    from: /closeFile:\((\w+),(\w+)\)=>\{var (\w+);let (\w+)=(\w+)\.getFileInfo\(\1,\2\);/g,
    to: (_rt, m, _o, _e, _r, info, rt) =>
      `${m}${info}&&${info}.dataProtocol==3&&/\\.wal$/.test(${info}.fileName)&&(${rt}.${RETIRED}||(${rt}.${RETIRED}=new Set)).add(${info}.fileName);`,
  },
  {
    name: 'openFile unmarks what it opens, and empties a .wal opened for writing again',
    from: /openFile:\((\w+),(\w+),(\w+)\)=>\{var ([\w,]+);try\{(\w+)\._fileInfoCache\.delete\(\2\);let (\w+)=\5\.getFileInfo\(\1,\2\);/g,
    to: (_rt, m, _o, _e, flags, _vars, rt, info) => `${m}${info}&&${rt}.${RETIRED}&&${rt}.${RETIRED}.delete(${info}.fileName);`
      + `if(${info}&&${info}.dataProtocol==3&&/\\.wal$/.test(${info}.fileName)&&${flags}&2){let w=${rt}.${WRITTEN}||(${rt}.${WRITTEN}=new Set);`
      + `if(w.has(${info}.fileName))${empty(rt, `${info}.fileName`)}else w.add(${info}.fileName)}`,
  },
  {
    name: "writeFile empties the .wal once a checkpoint has written the database's header",
    from: /case 3:\{let (\w+)=\((\w+)=(\w+)\._files\)==null\?void 0:\2\.get\((\w+)\.fileName\);if\(!\1\)throw new Error\("No OPFS access handle registered with name: "\.concat\(\4\.fileName\)\);let (\w+)=(\w+)\.HEAPU8\.subarray\((\w+),\7\+(\w+)\);return \1\.write\(\5,\{at:(\w+)\}\)\}/g,
    to: (_rt, m, h, _o, rt, info, buf, _mod, _ptr, bytes, at) =>
      m.replace(`return ${h}.write(${buf},{at:${at}})}`, `let __n=${h}.write(${buf},{at:${at}});`
        + `if(${bytes}==${HEADER_BYTES}&&(${at}==${HEADER_BYTES}||${at}==${2 * HEADER_BYTES})&&!/\\.wal$/.test(${info}.fileName))${empty(rt, `${info}.fileName+".wal"`)}return __n}`),
  },
  {
    name: 'checkFile empties a closed .wal',
    from: /checkFile:\((\w+),(\w+),(\w+)\)=>\{try\{let (\w+)=(\w+)\(\1,\2,\3\);/g,
    // The runtime object's name comes from closeFile's match (the same minified name in a file).
    to: (rt, m, _o, _e, _t, name) => `${m}if(${rt}.${RETIRED}&&${rt}.${RETIRED}.delete(${name}))${empty(rt, name)}`,
  },
];

/** The patched text, or an error naming what was not found exactly once. */
export function patchOpfsWal(text, file = 'source') {
  if (text.includes(MARKER)) return { text, changed: false };
  let out = text;
  let runtime = null;
  for (const r of REWRITES) {
    let n = 0;
    out = out.replace(r.from, (...m) => {
      n++;
      if (r.name.startsWith('closeFile')) runtime = m[5];
      return r.to(runtime, ...m);
    });
    if (n !== 1) {
      throw new Error(`${file}: "${r.name}" matched ${n} times, expected 1: not the duckdb-wasm runtime scripts/patch-duckdb-opfs-wal.mjs patches (a new duckdb-wasm?).`);
    }
  }
  return { text: `${out}\n${MARKER}\n`, changed: true };
}

export function patchInstalled() {
  return TARGETS.map((name) => {
    const file = path.join(dist, name);
    const { text, changed } = patchOpfsWal(readFileSync(file, 'utf8'), file);
    if (changed) writeFileSync(file, text);
    return `${name}: ${changed ? 'patched' : 'already patched'}`;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of patchInstalled()) console.log(`duckdb-wasm OPFS write-ahead log: ${line}`);
}
