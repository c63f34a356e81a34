import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DuckDBInstance } from '@duckdb/node-api';

/** DuckDB's database file of the collector tab (src/db/opfs-file.ts). */
export const DB_FILE = 'tootscope.duckdb';

/**
 * Leaves the app for a document of the same origin that is not the app (its icon), so
 * the app's DuckDB worker ends and lets go of its file; the page can then reach OPFS itself.
 */
export async function leaveApp(page: Page, appUrl: string): Promise<void> {
  await page.goto(`${appUrl}favicon.svg`);
}

/** The size of the file `name` in the page's OPFS, or null when there is none. */
export function opfsFileBytes(page: Page, name: string): Promise<number | null> {
  return page.evaluate(async (n) => {
    try {
      return (await (await (await navigator.storage.getDirectory()).getFileHandle(n)).getFile()).size;
    } catch {
      return null;
    }
  }, name);
}

/** Records the IndexedDB keys the page reads (the app reads batches and segments by key). */
export async function recordIdbReads(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { idbReads: string[] }).idbReads = seen;
    const get = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = function (key: IDBValidKey | IDBKeyRange) {
      if (typeof key === 'string') seen.push(key);
      return get.call(this, key);
    };
  });
}

/** Batches and segments the page read from IndexedDB since it loaded. */
export function batchAndSegmentReads(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { idbReads: string[] }).idbReads.filter((k) => /^(batch|segment)-/.test(k)));
}

/**
 * Changes the file in OPFS from the (non-app) page: `op` is 'truncate' (to half its size),
 * 'corrupt' (random bytes over DuckDB's two database headers, bytes 4096-12287), or bytes (base64)
 * that replace it; the `.wal` goes in every case, so what the app finds is exactly this file.
 * Retried while the app's ended worker still holds the file.
 */
export async function changeDbFile(page: Page, op: 'truncate' | 'corrupt' | { base64: string }): Promise<number> {
  return page.evaluate(
    async ({ name, op }) => {
      const dir = await navigator.storage.getDirectory();
      for (let attempt = 0; ; attempt++) {
        try {
          const handle = await dir.getFileHandle(name);
          const size = (await handle.getFile()).size;
          const w = await handle.createWritable({ keepExistingData: typeof op === 'string' });
          if (op === 'truncate') await w.truncate(Math.floor(size / 2));
          else if (op === 'corrupt') await w.write({ type: 'write', position: 4096, data: crypto.getRandomValues(new Uint8Array(8192)) });
          else await w.write(Uint8Array.from(atob(op.base64), (c) => c.charCodeAt(0)));
          await w.close();
          await dir.removeEntry(`${name}.wal`).catch(() => undefined);
          return size;
        } catch (err) {
          if (attempt > 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    { name: DB_FILE, op },
  );
}

/**
 * The file and its `.wal` (base64, null when absent), read from the (non-app) page once the app's
 * ended worker has let go of both. A page can read an OPFS file while a worker holds it and writes
 * (Chromium: `getFile()` sees each write at once), so reading the file and then its log while the
 * left page's last checkpoint was still running could pair a file from before the checkpoint with
 * the log it had emptied: neither held the tables. `createWritable` fails while a worker holds the file.
 */
export async function readDbFile(page: Page): Promise<{ file: string; wal: string | null }> {
  return page.evaluate(async (name) => {
    const dir = await navigator.storage.getDirectory();
    const retried = async <T>(step: () => Promise<T>): Promise<T | null> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await step();
        } catch (err) {
          if ((err as DOMException).name === 'NotFoundError') return null;
          if (attempt > 300) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const released = (n: string) => retried(async () => (await (await dir.getFileHandle(n)).createWritable({ keepExistingData: true })).abort());
    const read = (n: string) =>
      retried(async () => {
        const bytes = new Uint8Array(await (await (await dir.getFileHandle(n)).getFile()).arrayBuffer());
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(s);
      });
    await released(name);
    await released(`${name}.wal`);
    return { file: (await read(name))!, wal: await read(`${name}.wal`) };
  }, DB_FILE);
}

/**
 * The file as native DuckDB (the same version) leaves it after `sql`: opened with its `.wal`,
 * changed, checkpointed and closed, so one file holds everything. Base64.
 */
export async function rewriteWithNative(files: { file: string; wal: string | null }, sql: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tootscope-dbfile-'));
  try {
    const db = path.join(dir, DB_FILE);
    writeFileSync(db, Buffer.from(files.file, 'base64'));
    if (files.wal) writeFileSync(`${db}.wal`, Buffer.from(files.wal, 'base64'));
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    for (const s of [...sql, 'CHECKPOINT']) await conn.run(s);
    conn.closeSync();
    instance.closeSync();
    if (existsSync(`${db}.wal`)) throw new Error('native DuckDB left a .wal after its checkpoint');
    return readFileSync(db).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
