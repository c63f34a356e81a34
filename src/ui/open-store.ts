import { EngineStartError, type AnalyticsDb } from '../db/analytics-db';
import { DB_PATH, dbFileSize, opfsAvailable, prepareLog, removeDbFile } from '../db/opfs-file';
import type { BatchStore, StoredBatch } from '../store/wal/batch-store';
import { Ingest, type IngestStatus } from '../store/ingest';
import { Intake, type IntakeHooks } from '../store/intake';
import { LocalData, type Reloading } from '../store/local-data';
import { openTableFile } from '../store/table-file';
import { languageNames } from './language-names';
import { mark } from '../db/startup-marks';
import { workerParquetCodec } from '../store/archive/parquet-worker-client';

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
    ? openTableFile(() => openDb({ path: DB_PATH }), () => removeDbFile(), store, () => dbFileSize(), () => prepareLog()).then(
        (opened) => ({ ...opened, file: true }),
        (err: Error) => {
          if (err instanceof EngineStartError) throw err;
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
  const codec = async () => workerParquetCodec;
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
  mark('table-ready');
  return { data, bundle: db.bundle ?? 'node', file };
}

export interface IntakeEvents extends IntakeHooks {
  onFlushed(stored: StoredBatch): void;
  onStatus(status: IngestStatus): void;
}

/**
 * Where collection starts, over IndexedDB alone: Ingest stores batches from the first second and
 * Intake turns every source's events into its rows. DuckDB is attached later (Ingest.attach).
 */
export function openIntake(store: BatchStore, ev: IntakeEvents): { ingest: Ingest; intake: Intake } {
  const ingest = new Ingest(store, {
    onStored: (rows) => intake.storedRows(rows),
    onFlushed: ev.onFlushed,
    onStatus: ev.onStatus,
    onRejected: (rejected) => {
      for (const { row, reason } of rejected) intake.rejected(row, reason);
    },
  });
  const intake = new Intake(ingest, ev);
  return { ingest, intake };
}

/**
 * Where each source continues: IndexedDB's positions, so a start neither re-fetches nor skips
 * without DuckDB. Toots stored before positions were kept are known only to DuckDB: once it has
 * loaded them (`data`), their positions are kept in IndexedDB too. Numbers the next batch after
 * whatever the last collector stored.
 */
export async function startPositions(store: BatchStore, data: () => Promise<LocalData | null>): Promise<Map<string, string>> {
  await store.resync();
  const kept = await store.positions();
  if (kept) return kept;
  const opened = await data();
  const found = opened ? await opened.lastIds() : new Map<string, string>();
  await store.seedPositions(found).catch(() => undefined);
  return found;
}
