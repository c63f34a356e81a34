import type { Page } from 'playwright-core';

/**
 * One value of the page's IndexedDB, read in the page as the next visit would read it; undefined
 * where the database, its object store or the key is not there. A database that does not exist is
 * not created by asking.
 */
export function idbValue(page: Page, database: string, store: string, key: string): Promise<unknown> {
  return page.evaluate(
    async ([database, store, key]) => {
      if (!(await indexedDB.databases()).some((d) => d.name === database)) return undefined;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        if (!db.objectStoreNames.contains(store)) return undefined;
        return await new Promise<unknown>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).get(key);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      } finally {
        db.close();
      }
    },
    [database, store, key] as const,
  );
}

/** Writes one value into an existing object store of the page's IndexedDB, as a visit would. */
export function setIdbValue(page: Page, database: string, store: string, key: string, value: unknown): Promise<void> {
  return page.evaluate(
    async ([database, store, key, value]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(store, 'readwrite');
          tx.objectStore(store).put(value, key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      } finally {
        db.close();
      }
    },
    [database, store, key, value] as const,
  );
}
