import type { AnalyticsDb } from '../db/analytics-db';
import { DB_PATH, opfsAvailable, removeDbFile } from '../db/opfs-file';
import type { BatchStore } from '../store/wal/batch-store';
import { LocalData, type Reloading } from '../store/local-data';
import { openTableFile } from '../store/table-file';
import { languageNames } from './language-names';

export type OpenDb = (opts?: { path?: string }) => Promise<AnalyticsDb & { bundle?: string }>;

export interface OpenedStore {
  data: LocalData;
  /** Which duckdb-wasm bundle runs (`node` in tests). */
  bundle: string;
  /** The table lives in DuckDB's database file in OPFS (else in memory). */
  file: boolean;
}

export interface OpenEvents {
  /** A load of stored segments: how far, with the manifest's summary; null once done. */
  onReloading(r: Reloading | null): void;
  /** Something the page should say (the table file was rebuilt, or could not be used). */
  onNotice(message: string): void;
}

/**
 * DuckDB and the stored data. The collector keeps DuckDB's table in its database file in OPFS,
 * a cache that a reload reopens instead of loading the segments (table-file.ts); other tabs, and
 * a tab whose file cannot be used, build it in memory from the segments and batches. A viewer
 * that later becomes the collector keeps its table in memory until its next reload.
 *
 * Collection does not wait for this (issue 16): batches this page stored meanwhile are left to
 * its Ingest (`leaveOwnBatches`), which counts them already and merges them once attached.
 */
export async function openStore(store: BatchStore, openDb: OpenDb, collector: boolean, ev: OpenEvents): Promise<OpenedStore> {
  const useFile = collector && store.persistent && (await opfsAvailable());
  const inMemory = async () => ({ db: await openDb(), file: false, rebuilt: null });
  const starting = useFile
    ? openTableFile(() => openDb({ path: DB_PATH }), () => removeDbFile(), store).then(
        (opened) => ({ ...opened, file: true }),
        (err: Error) => {
          ev.onNotice(`DuckDB's table file could not be opened or replaced (${err.message}): this tab keeps its table in memory.`);
          return inMemory();
        },
      )
    : inMemory();
  // Awaited below; this keeps a failure while the summary is read from counting as unhandled.
  starting.catch(() => undefined);
  const saved = await LocalData.storedSummary(store);
  if (saved) ev.onReloading(saved);
  const { db, file, rebuilt } = await starting;
  if (rebuilt) ev.onNotice(rebuilt);
  const codec = async () => (await import('../store/archive/parquet-worker-client')).workerParquetCodec;
  const open = (on: AnalyticsDb) => LocalData.open(on, languageNames(), codec, { store, onLoad: ev.onReloading, file, leaveOwnBatches: true });
  const data = await open(db).catch(async (err: Error) => {
    if (!file) throw err;
    // A damaged block the checks did not reach (they read only the meta row): rebuild as well.
    await db.close().catch(() => undefined);
    await removeDbFile();
    ev.onNotice(`DuckDB's table file could not be used: it could not be read (${err.message.split('\n')[0]}). It is rebuilt from the stored toots; nothing is lost.`);
    return open(await openDb({ path: DB_PATH }));
  });
  ev.onReloading(null);
  return { data, bundle: db.bundle ?? 'node', file };
}
