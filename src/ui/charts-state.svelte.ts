import { feedLabel, feedWhereSql, FEED_PREFIX } from '../core/channel';
import {
  activitySql, browserOffsetMinutes, chooseGrain, cleanKeywords, dailySql, defaultWindowMinutes, hourlySql, keywordsSql, GRAIN_MINUTES,
  type ActivityBy, type ActivityRow, type AppRow, type ChartFilters, type DailyRow, type HashtagRow, type HourlyRow, type KeywordRow,
  type InstanceGroups, type LanguageRow, type LengthRow, type OverlapMeasure, type OverlapRow, type SpanRow, type TimeGrain, WHIS_BLOG,
} from '../core/sql/charts';
import {
  cubeActivitySql, cubeAppsSql, cubeDailySql, cubeHashtagsSql, cubeHourlySql, cubeLanguagesSql, cubeLengthsSql, cubeOverlapSql, cubeSpan,
  cubeSpanSql,
} from '../core/sql/cube/charts';
import { Throttle } from '../charts/throttle';
import { DashboardCache, type SavedAnswer, type SavedDashboard } from '../store/dashboard-cache';
import { AnswerMemo } from './answer-memo';
import type { AppState } from './app-state.svelte';
import type { FilterState } from './filter-state.svelte';

const GROUPS_KEY = 'tootscope-instance-groups';

function loadGroups(): InstanceGroups {
  try {
    const saved: unknown = JSON.parse(globalThis.localStorage?.getItem(GROUPS_KEY) ?? '{}');
    if (!saved || typeof saved !== 'object') return {};
    return Object.fromEntries(Object.entries(saved).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export type ChartId = 'daily' | 'apps' | 'hourly' | 'languages' | 'lengths' | 'keywords' | 'activity' | 'hashtags' | 'overlap';
export type Zone = 'utc' | 'local';

/** At most one round of chart queries a second while toots stream in. */
export const REFRESH_EVERY_MS = 1000;
/**
 * ... and chart rounds take at most a third of the time: at 1.6 M toots a round takes seconds,
 * and the DuckDB worker it occupies is the one that merges the collected batches.
 */
export const CHARTS_BUSY_SHARE = 1 / 3;
/** The charts' answers are saved for the next visit at most this often (and when the page is hidden). */
export const SAVE_EVERY_MS = 5000;

/**
 * Runs every chart's query on `app.database` and keeps the results. A round starts on a new data
 * version (throttled to one a second) or at once on a filter or option change; within a round a
 * chart is queried only if its SQL or the data changed since its last run. Queries run one after
 * another on the worker, so the page's thread only receives finished rows.
 */
export class ChartsState {
  zone = $state<Zone>('utc');
  /** Comma-separated words as typed (debounced by the panel). */
  keywords = $state('');
  keywordGrain = $state<'hour' | 'day'>('hour');
  activityGrain = $state<TimeGrain | 'auto'>('auto');
  activityBy = $state<ActivityBy>('from_instance');
  activityTopN = $state(8);
  /** Rolling-mean window in minutes, or chosen from the span. */
  activityWindow = $state<number | 'auto'>('auto');
  activityView = $state<'lines' | 'stacked'>('lines');
  /** Instances drawn as one series under the person's name for them (the notebook's `origins`), kept in this browser. */
  activityGroups = $state.raw<InstanceGroups>(loadGroups());
  overlapMeasure = $state<OverlapMeasure>('jaccard');
  /** The blog's way (issue 17): languages without untagged posts; box plots also with whiskers at 100 × IQR. */
  languagesAsBlog = $state(false);
  lengthsAsBlog = $state(false);

  daily = $state.raw<DailyRow[]>([]);
  apps = $state.raw<AppRow[]>([]);
  hourly = $state.raw<HourlyRow[]>([]);
  languages = $state.raw<LanguageRow[]>([]);
  lengths = $state.raw<LengthRow[]>([]);
  keywordRows = $state.raw<KeywordRow[]>([]);
  activity = $state.raw<ActivityRow[]>([]);
  hashtags = $state.raw<HashtagRow[]>([]);
  overlap = $state.raw<OverlapRow[]>([]);
  span = $state.raw<SpanRow | null>(null);
  errors = $state.raw<Partial<Record<ChartId, string>>>({});
  /** The grain and window the activity chart was last drawn with. */
  usedGrain = $state<TimeGrain>('hour');
  usedWindow = $state(60);
  usedGrainKeywords = $state<'hour' | 'day'>('hour');
  roundMs = $state(0);
  busy = $state(false);
  /**
   * While DuckDB starts, the charts show the answers the last visit saved (store/dashboard-cache.ts):
   * when they were saved, or null once DuckDB's own answers have replaced them.
   */
  savedAt = $state<number | null>(null);

  private last = new Map<ChartId | 'span', string>();
  private readonly throttle: Throttle;
  /** The last visit's answers, until DuckDB answers. */
  private saved: SavedDashboard | null = null;
  /**
   * DuckDB's latest answer per chart, each with the data it was given for (LocalData.stamp; null
   * when a merge came mid-round), and when the round that gave them ended: what is saved.
   */
  private answers = new Map<ChartId | 'span', { answer: SavedAnswer; stamp: string | null }>();
  private answeredAt = 0;
  /** Stamped answers by SQL, the last visit's and this one's, for the same data asked again. */
  private readonly memo = new AnswerMemo();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly app: AppState,
    private readonly filters: FilterState,
    intervalMs = REFRESH_EVERY_MS,
    private readonly cache: DashboardCache = DashboardCache.open(),
  ) {
    this.throttle = new Throttle(() => this.refresh(), intervalMs, { busyShare: CHARTS_BUSY_SHARE });
  }

  setGroups(groups: InstanceGroups): void {
    this.activityGroups = groups;
    try {
      globalThis.localStorage?.setItem(GROUPS_KEY, JSON.stringify(groups));
    } catch {
      // Storage refused (a private mode): the groups last for this visit.
    }
  }

  /** Minutes east of UTC the time charts are drawn in. */
  get offsetMinutes(): number {
    return this.zone === 'local' ? browserOffsetMinutes() : 0;
  }

  /** Everything besides the data that the queries depend on. */
  get inputs(): string {
    return JSON.stringify([
      this.filters.value, this.zone, this.keywords, this.keywordGrain, this.activityGrain, this.activityBy, this.activityTopN,
      this.activityWindow, this.activityGroups, this.languagesAsBlog, this.lengthsAsBlog, this.activityBy === 'feed' ? this.feeds : null,
    ]);
  }

  /** Every feed the rows follow, as the activity chart splits by them (core/channel.ts). */
  get feeds(): Array<{ key: string; where: string }> {
    return this.app.instances.flatMap((i) =>
      i.channels.map((c) => ({ key: `${FEED_PREFIX}${i.host} ${feedLabel(c)}`, where: feedWhereSql(i.baseUrl, c, i.info?.domain) })),
    );
  }

  /** Starts following the data and the inputs; returns the stop function. */
  connect(): () => void {
    void this.cache.load().then((saved) => {
      if (!saved || this.app.database) return;
      this.saved = saved;
      // DuckDB may come to hold exactly the data these answers were given for: they are then its
      // answers, and asking again would only keep DuckDB from the person's first query (issue 15).
      this.memo.remember(Object.values(saved.answers), saved.stamp ?? null);
      this.throttle.request(true);
    });
    const onHide = () => {
      if (document.visibilityState === 'hidden') this.saveNow();
    };
    globalThis.document?.addEventListener('visibilitychange', onHide);
    const stop = $effect.root(() => {
      $effect(() => {
        void this.app.dataVersion;
        if (this.app.db.state === 'ready') this.throttle.request(false);
      });
      $effect(() => {
        void this.inputs;
        this.throttle.request(true);
      });
    });
    return () => {
      stop();
      this.throttle.dispose();
      globalThis.document?.removeEventListener('visibilitychange', onHide);
      this.saveNow();
    };
  }

  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => this.saveNow(), SAVE_EVERY_MS);
  }

  private saveNow(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.answers.size) return;
    const stamps = new Set([...this.answers.values()].map((a) => a.stamp));
    const stamp = stamps.size === 1 ? [...stamps][0]! : null;
    const answers = Object.fromEntries([...this.answers].map(([id, a]) => [id, a.answer]));
    void this.cache.save({ savedAt: this.answeredAt, answers, stamp });
  }

  /** What the answers depend on besides their SQL (LocalData.stamp); null while unknown. */
  private dataStamp(): Promise<string | null> {
    return this.app.localData?.stamp().catch(() => null) ?? Promise.resolve(null);
  }

  private async refresh(): Promise<void> {
    const db = this.app.database;
    const saved = db ? null : this.saved;
    if (!db && !saved) return;
    // Busy from here: the stamp waits for a merge under way (it never fails: null instead).
    this.busy = true;
    const t0 = performance.now();
    const stamp = db ? await this.dataStamp() : null;
    /** This round's fresh answers, stamped once it ends. */
    const answered: Array<{ answer: SavedAnswer; stamp: string | null }> = [];
    // The saved answers' keys never equal a data version's: DuckDB's first round asks everything.
    const version = db ? String(this.app.dataVersion) : 'saved';
    const f: ChartFilters = JSON.parse(JSON.stringify(this.filters.value)) as ChartFilters;
    const offsetMinutes = this.offsetMinutes;
    const errors: Partial<Record<ChartId, string>> = { ...this.errors };
    /** `sql` names the query (the cache key); `fetch` runs it, by default as one query. */
    const run = async <T>(id: ChartId | 'span', sql: string | null, store: (rows: T[]) => void, fetch = () => db!.query<T>(sql!)) => {
      const key = `${version}\n${sql}`;
      if (this.last.get(id) === key) return;
      this.last.set(id, key);
      if (sql === null) {
        store([]);
        return;
      }
      if (saved) {
        // Only an answer to this very SQL: any other filter or option waits for DuckDB.
        const a = saved.answers[id];
        store(a?.sql === sql ? (a.rows as T[]) : []);
        return;
      }
      try {
        const rows = this.memo.get<T>(sql, stamp) ?? (await fetch());
        store(rows);
        // The stamp is unknown until the round ends and both stamps agree (a round cut short leaves it so).
        const entry: { answer: SavedAnswer; stamp: string | null } = { answer: { sql, rows }, stamp: null };
        this.answers.set(id, entry);
        answered.push(entry);
        if (id !== 'span') delete errors[id];
      } catch (err) {
        this.last.delete(id);
        this.answers.delete(id);
        if (id !== 'span') errors[id] = `Query failed: ${(err as Error).message}`;
      }
    };
    try {
      // Every default chart reads the cubes (core/sql/cube/); the raw SQL answers what they do not cover.
      const query = <R>(sql: string) => db!.query<R>(sql);
      await run<SpanRow>('span', cubeSpanSql(f), (r) => (this.span = r[0] ?? null), async () => [await cubeSpan(query, f)]);
      const spanMs = this.span?.first != null && this.span.last != null ? this.span.last - this.span.first : 0;
      const grain = this.activityGrain === 'auto' ? chooseGrain(spanMs) : this.activityGrain;
      const window = this.activityWindow === 'auto' ? Math.max(defaultWindowMinutes(spanMs), GRAIN_MINUTES[grain]) : this.activityWindow;
      const keywordGrain = this.keywordGrain;
      const activity = { grain, by: this.activityBy, topN: this.activityTopN, windowMinutes: window, offsetMinutes, groups: this.activityGroups, feeds: this.feeds };
      await run<ActivityRow>('activity', cubeActivitySql(f, activity) ?? activitySql(f, activity), (r) => {
        this.activity = r;
        this.usedGrain = grain;
        this.usedWindow = window;
      });
      await run<LanguageRow>('languages', cubeLanguagesSql(f, { unknown: !this.languagesAsBlog }), (r) => (this.languages = r));
      await run<DailyRow>('daily', cubeDailySql(f, { offsetMinutes }) ?? dailySql(f, { offsetMinutes }), (r) => (this.daily = r));
      await run<HourlyRow>('hourly', cubeHourlySql(f, { offsetMinutes }) ?? hourlySql(f, { offsetMinutes }), (r) => (this.hourly = r));
      await run<AppRow>('apps', cubeAppsSql(f), (r) => (this.apps = r));
      await run<HashtagRow>('hashtags', cubeHashtagsSql(f), (r) => (this.hashtags = r));
      const words = cleanKeywords(this.keywords.split(','));
      await run<KeywordRow>('keywords', keywordsSql(f, { keywords: words, grain: keywordGrain, offsetMinutes }), (r) => {
        this.keywordRows = r;
        this.usedGrainKeywords = keywordGrain;
      });
      await run<LengthRow>('lengths', cubeLengthsSql(f, this.lengthsAsBlog ? { unknown: false, whis: WHIS_BLOG } : {}), (r) => (this.lengths = r));
      await run<OverlapRow>('overlap', cubeOverlapSql(f), (r) => (this.overlap = r));
      if (saved) {
        this.savedAt = saved.savedAt;
      } else {
        // A merge between the two stamps: this round's answers may mix two versions of the data.
        const after = await this.dataStamp();
        for (const a of answered) a.stamp = stamp !== null && after === stamp ? stamp : null;
        if (after === stamp) this.memo.remember(answered.map((a) => a.answer), stamp);
        this.saved = null;
        this.savedAt = null;
        this.answeredAt = Date.now();
        this.saveSoon();
      }
    } finally {
      this.errors = errors;
      this.roundMs = performance.now() - t0;
      this.busy = false;
    }
  }
}
