/**
 * DuckDB's database file in the origin private file system (OPFS), seen from the page: whether it
 * is there, and removing it with its write-ahead log so the next open starts an empty file.
 */

/** The collector tab's DuckDB database (src/store/table-file.ts): a cache of what IndexedDB holds. */
export const DB_FILE = 'tootscope.duckdb';
export const DB_PATH = `opfs://${DB_FILE}`;

async function root(): Promise<FileSystemDirectoryHandle | null> {
  try {
    return (await navigator.storage?.getDirectory?.()) ?? null;
  } catch {
    return null;
  }
}

/** True when the browser offers OPFS to this page (not in every private mode). */
export async function opfsAvailable(): Promise<boolean> {
  return (await root()) !== null;
}

/** The file's size in bytes, or null when there is none. */
export async function dbFileSize(name = DB_FILE): Promise<number | null> {
  const dir = await root();
  if (!dir) return null;
  try {
    return (await (await dir.getFileHandle(name)).getFile()).size;
  } catch {
    return null;
  }
}

/**
 * Makes the file's write-ahead log one duckdb-wasm 1.32 can open, and returns how many of its
 * bytes may hold commits to replay (null: no log; 0: none). The log is emptied after each
 * checkpoint (scripts/patch-duckdb-opfs-wal.mjs), and 1.32 opens a database beside an empty log
 * but then fails every commit ("Failed to commit: File is not opened in write mode";
 * `node bench/storage-probe/wal-run.mjs a0,b`, also with the empty log removed first). A log it
 * cannot read it drops as cut off at its first byte and starts afresh, and commits then work
 * (`… a0,b,c --fill=0`). So an empty log beside a database file gets 16 zero bytes.
 */
export async function prepareLog(name = DB_FILE): Promise<number | null> {
  const size = await dbFileSize(`${name}.wal`);
  if (size !== 0 || !(await dbFileSize(name))) return size;
  const dir = (await root())!;
  await whileHeld(async () => {
    const w = await (await dir.getFileHandle(`${name}.wal`)).createWritable();
    await w.write(new Uint8Array(16));
    await w.close();
  });
  return 0;
}

/**
 * Runs `change` on an OPFS file, retried for ~5 s: a worker that just ended may still hold the
 * file's access handle for a moment (the change then fails with NoModificationAllowedError).
 */
async function whileHeld(change: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await change();
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Removes the file and its `.wal`, waiting while a worker that just ended still holds them. */
export async function removeDbFile(name = DB_FILE): Promise<void> {
  const dir = await root();
  if (!dir) return;
  for (const file of [name, `${name}.wal`]) {
    await whileHeld(() =>
      dir.removeEntry(file).catch((err: DOMException) => {
        if (err.name !== 'NotFoundError') throw err;
      }),
    );
  }
}
