import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';
import { openBrowserDb } from '../../src/db/duckdb-browser';
import { BatchStore } from '../../src/store/wal/batch-store';
import { LocalData } from '../../src/store/local-data';
import { languageNames } from '../../src/ui/language-names';
import { now, round } from './stats';
import { codecTimes, profileDb, timedCodec } from './timing';

/** Reload to queryable: runs by itself on ?reload=1, from navigation start (performance.now() = 0). */

export async function reloadToQueryable() {
  const modulesMs = now();
  const store = await BatchStore.open();
  let idbSnapshotMs = 0;
  let idbBatchesMs = 0;
  let batchesReplayed = 0;
  const origSnapshot = store.snapshot.bind(store);
  store.snapshot = async () => {
    const t0 = now();
    const s = await origSnapshot();
    idbSnapshotMs += now() - t0;
    return s;
  };
  const origLoadAfter = store.loadAfter.bind(store);
  store.loadAfter = async (seq) => {
    const t0 = now();
    const bs = await origLoadAfter(seq);
    idbBatchesMs += now() - t0;
    batchesReplayed += bs.length;
    return bs;
  };
  const reads0 = codecTimes.reads.length;
  const t0 = now();
  const starting = openBrowserDb();
  // As the app does: the stored summary is shown while DuckDB starts.
  const storedSummaryMs = (await LocalData.storedSummary(store)) ? now() : null;
  const db = await starting;
  const dbOpenMs = now() - t0;
  const prof = profileDb(db);
  const t1 = now();
  const data = await LocalData.open(db, languageNames(), async () => timedCodec, { store });
  const localDataOpenMs = now() - t1;
  const t2 = now();
  const [s] = await db.query<Summary>(SUMMARY_SQL);
  const summaryMs = now() - t2;
  const totalMs = now();
  prof.restore();
  store.snapshot = origSnapshot;
  store.loadAfter = origLoadAfter;
  const parquetReadMs = codecTimes.reads.slice(reads0).reduce((a, b) => a + b, 0);
  return {
    db,
    data,
    figures: {
    totalMs: round(totalMs),
    modulesMs: round(modulesMs),
    storedSummaryMs: storedSummaryMs === null ? null : round(storedSummaryMs),
    dbOpenMs: round(dbOpenMs),
    localDataOpenMs: round(localDataOpenMs),
    idbSnapshotMs: round(idbSnapshotMs),
    parquetReadMs: round(parquetReadMs),
    idbBatchesMs: round(idbBatchesMs),
    batchesReplayed,
    summaryMs: round(summaryMs),
    rows: s?.toots ?? 0,
    duckdbStatements: prof.table(),
    },
  };
}
