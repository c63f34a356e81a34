import { SUMMARY_SQL, type Summary } from '../../src/core/sql/summary';
import { ROLLUP_SUMMARY_SQL } from '../../src/core/sql/rollups';
import { openBrowserDb } from '../../src/db/duckdb-browser';
import { DB_PATH, dbFileSize, prepareLog, removeDbFile } from '../../src/db/opfs-file';
import { openTableFile } from '../../src/store/table-file';
import { dashboardQueries, type Answers } from './charts';
import { dashboardSql } from './dashboard-sql';
import { DashboardCache } from '../../src/store/dashboard-cache';
import type { SpanRow } from '../../src/core/sql/charts';
import { BatchStore } from '../../src/store/wal/batch-store';
import { LocalData } from '../../src/store/local-data';
import { languageNames } from '../../src/ui/language-names';
import { now, round } from './stats';
import { codecTimes, profileDb, timedCodec } from './timing';

/**
 * Reload, as the collecting tab starts (src/ui/app-state.svelte.ts): reopen DuckDB's database file,
 * take up its state, then answer what the dashboard shows first (the Summary panel's rollup row and
 * every default chart's query, from the data cubes), then the summary over the raw table. Runs by
 * itself on ?reload=1; every time is from navigation start (performance.now() = 0). Drawing the
 * charts is not included: the dashboard time is its queries answered.
 */

/** Answers compared as their JSON (BigInts as text). */
const sameAnswers = (a: unknown, b: unknown) => {
  const text = (x: unknown) => JSON.stringify(x, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return text(a) === text(b);
};

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
  const starting = openTableFile(() => openBrowserDb({ path: DB_PATH }), () => removeDbFile(), store, () => dbFileSize(), () => prepareLog());
  // As the app does: the stored summary and the charts' saved answers are shown while DuckDB starts.
  const storedSummaryMs = (await LocalData.storedSummary(store)) ? now() : null;
  const saved = await DashboardCache.open().load();
  // The dashboard is there once every default chart's SQL has its saved answer (ChartsState
  // takes an answer only for the very SQL it would run).
  const span = (saved?.answers.span?.rows[0] ?? null) as SpanRow | null;
  const covered = !!saved && dashboardSql({}, span).every(([name, sql]) => saved.answers[name]?.sql === sql);
  const savedDashboardMs = covered ? now() : null;
  const { db, rebuilt } = await starting;
  const dbOpenMs = now() - t0;
  const prof = profileDb(db);
  const t1 = now();
  const data = await LocalData.open(db, languageNames(), async () => timedCodec, { store, file: true });
  const localDataOpenMs = now() - t1;
  const t3 = now();
  await db.query(ROLLUP_SUMMARY_SQL);
  // As ChartsState: saved answers given for the very data DuckDB now holds are its answers, and
  // it is not asked again before the person's first query.
  const adopted = covered && saved.stamp != null && saved.stamp === (await data.stamp());
  const live: Answers = {};
  const askDashboard = async () => {
    for (const [, run] of await dashboardQueries(db, live)) await run();
  };
  if (!adopted) await askDashboard();
  const dashboardQueriesMs = now() - t3;
  const dashboardMs = now();
  const t2 = now();
  const [s] = await db.query<Summary>(SUMMARY_SQL);
  const summaryMs = now() - t2;
  const totalMs = now();
  // DuckDB's own answers all the same (after the summary, when adopted), to compare with the saved.
  const t4 = now();
  if (adopted) await askDashboard();
  const askedAfterMs = adopted ? now() - t4 : null;
  prof.restore();
  store.snapshot = origSnapshot;
  store.loadAfter = origLoadAfter;
  const parquetReadMs = codecTimes.reads.slice(reads0).reduce((a, b) => a + b, 0);
  return {
    db,
    data,
    figures: {
    totalMs: round(totalMs),
    /** DuckDB holds every default chart's answer: its own, or the saved ones when `savedDashboardAdopted`. */
    dashboardMs: round(dashboardMs),
    /** The saved answers were given for the data DuckDB reopened (LocalData.stamp), so it was not asked again. */
    savedDashboardAdopted: adopted,
    /** When adopted: DuckDB's own answers, asked after the summary for the comparison, took this long. */
    dashboardAskedAfterMs: askedAfterMs === null ? null : round(askedAfterMs),
    /** Every default chart's saved answer read (null: none saved for this SQL). */
    savedDashboardMs: savedDashboardMs === null ? null : round(savedDashboardMs),
    /** The saved answers equal DuckDB's after the reload (no toot arrived between). */
    savedDashboardMatches: covered ? sameAnswers(Object.keys(live).map((k) => saved!.answers[k]), Object.keys(live).map((k) => live[k])) : null,
    dashboardQueriesMs: round(dashboardQueriesMs),
    /** Non-null when the file could not be reopened and was rebuilt from the segments: say so. */
    rebuilt,
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
