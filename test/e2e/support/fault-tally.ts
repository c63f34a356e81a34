import type { FakeMastodon } from '../../fake-mastodon';

/** The fault suite's tally (fault-scenario.ts): what the app exported against what the fake servers hold. */

export type Phase = 'pre' | 'live' | 'gap' | 'vanish' | 'sign-in-gap' | 'reload' | 'final';
export type Kind = 'alpha' | 'beta' | 'shared';

export interface Miss {
  uri: string;
  kind: Kind;
  phase: Phase;
  round: number;
}

export interface FaultScenarioResult {
  toots: number;
  /** Statuses published on the two servers (a shared post counts twice). */
  deliveries: number;
  shared: number;
  edits: number;
  /** Posts deleted at the source (posts deleted before anyone could collect them included). */
  deletes: number;
  malformed: number;
  disconnects: number;
  /** Drops that landed while the row said "backfilling". */
  drops_during_backfill: number;
  /** Sockets destroyed by the drops (more than `disconnects` means streams were left open). */
  sockets_dropped: number;
  expected: number;
  rows: number;
  distinct: number;
  lost: number;
  duplicated: number;
  /** Stored posts that the servers no longer hold (a delete that did not take). */
  extra: number;
  /**
   * Copies an instance holds whose stored row does not list that instance in `seen_on`: a copy
   * the app never received, hidden from `lost` when the other instance's copy arrived.
   */
  unseen_copies: { alpha: number; beta: number };
  unseen_sample: Array<Miss & { instance: string }>;
  collected: number;
  edits_applied: number;
  backfill_ms: number[];
  backfill_ms_median: number;
  backfill_ms_max: number;
  /** Backfills cut short (by a drop or the 429) before the row went back to streaming. */
  backfills_interrupted: number;
  /** From each drop to the row streaming again with the gap filled. */
  recovery_ms_median: number;
  recovery_ms_max: number;
  rate_limit: { state: string; fault_url: string; waited_ms: number; recovered_ms: number; streams_open_after: number };
  sign_in: { state: string; resumed_ms: number };
  reload: { streaming_ms: number };
  settle_ms: number;
  duration_ms: number;
  lost_sample: Miss[];
  /** With the stored row's seen_on, to tell a delete that did not resolve from a copy never received. */
  extra_sample: Array<Miss & { seen_on: string }>;
  /** `kind/phase` → count, and the rounds they were published in. */
  lost_by_phase: Record<string, number>;
  extra_by_phase: Record<string, number>;
  unseen_by_phase: Record<string, number>;
  lost_rounds: number[];
  extra_rounds: number[];
  unseen_rounds: number[];
  warnings: string[];
  page_errors: string[];
  /** Rounds whose mid-run check (count equals the ground truth) did not settle. */
  unsettled_rounds: Array<{ round: number; collected: number; expected: number }>;
}


/** Figures the run counted itself, passed through to the result. */
type Counted = Pick<
  FaultScenarioResult,
  | 'toots' | 'deliveries' | 'shared' | 'malformed' | 'disconnects' | 'drops_during_backfill' | 'sockets_dropped' | 'collected'
  | 'rate_limit' | 'sign_in' | 'reload' | 'settle_ms' | 'duration_ms' | 'warnings' | 'page_errors' | 'unsettled_rounds'
>;

/** What a run recorded, for `tally`. */
export interface RunRecord {
  alpha: FakeMastodon;
  beta: FakeMastodon;
  /** The rows of the app's Parquet export, read back by native DuckDB. */
  stored: Array<{ uri: string; text: string | null; seen: string }>;
  /** Where and when each uri was published. */
  origin: Map<string, { kind: Kind; phase: Phase; round: number }>;
  /** The latest text of each edited post. */
  edited: Map<string, string>;
  /** Every change of the beta row's state text, with the page's clock. */
  betaStates: Array<{ text: string; t: number }>;
  dropTimes: number[];
  /** When the token was revoked and the page reloaded: a drop's recovery that spans them is not counted. */
  interruptions: number[];
  counts: Counted;
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

export function tally(r: RunRecord): FaultScenarioResult {
  const { alpha, beta, stored, origin, edited, betaStates: beta_, dropTimes, interruptions } = r;
  const expected = new Set([alpha, beta].flatMap((f) => f.groundTruth().published.map((s) => s.uri)));
  const distinct = new Set(stored.map((r) => r.uri));
  const text = new Map(stored.map((r) => [r.uri, r.text]));
  const miss = (uri: string): Miss => ({ uri, ...(origin.get(uri) ?? { kind: 'alpha', phase: 'pre', round: -1 }) });
  const lost = [...expected].filter((u) => !distinct.has(u)).map(miss);
  const extra = [...distinct].filter((u) => !expected.has(u)).map(miss);
  const seen = new Map(stored.map((r) => [r.uri, r.seen]));
  const unseenAll: Array<Miss & { instance: string }> = [];
  const unseenCopies = { alpha: 0, beta: 0 };
  for (const [name, f] of [['alpha', alpha], ['beta', beta]] as const) {
    for (const st of f.groundTruth().published) {
      const on = seen.get(st.uri);
      if (on === undefined || on.includes(f.webUrl)) continue;
      unseenCopies[name]++;
      unseenAll.push({ instance: name, ...miss(st.uri) });
    }
  }
  const rounds = (xs: Miss[]) => [...new Set(xs.map((m) => m.round))].sort((a, b) => a - b);
  const byPhase = (xs: Miss[]) => xs.reduce<Record<string, number>>((acc, m) => ({ ...acc, [`${m.kind}/${m.phase}`]: (acc[`${m.kind}/${m.phase}`] ?? 0) + 1 }), {});
  let editsApplied = 0;
  let editsExpected = 0;
  for (const [uri, t] of edited) {
    if (!expected.has(uri)) continue;
    editsExpected++;
    if (text.get(uri) === t) editsApplied++;
  }

  // Backfill time: each stay in "backfilling" that ended in "streaming".
  const backfills: number[] = [];
  let interrupted = 0;
  for (let i = 0; i < beta_.length; i++) {
    if (!/^backfilling/.test(beta_[i]!.text)) continue;
    const next = beta_[i + 1];
    if (next && /^streaming/.test(next.text)) backfills.push(next.t - beta_[i]!.t);
    else interrupted++;
  }
  const recoveries = dropTimes
    .map((t) => {
      const back = beta_.find((s) => s.t > t && /^streaming/.test(s.text));
      return back && !interruptions.some((x) => x > t && x < back.t) ? back.t - t : NaN;
    })
    .filter((x) => Number.isFinite(x));

  const allDeleted = new Set([...alpha.deletedStatuses(), ...beta.deletedStatuses()].map((s) => s.uri));
  return {
    ...r.counts,
    edits: editsExpected,
    deletes: [...allDeleted].filter((u) => !expected.has(u)).length,
    expected: expected.size,
    rows: stored.length,
    distinct: distinct.size,
    lost: lost.length,
    duplicated: stored.length - distinct.size,
    extra: extra.length,
    unseen_copies: unseenCopies,
    unseen_sample: unseenAll.slice(0, 5),
    edits_applied: editsApplied,
    backfill_ms: backfills,
    backfill_ms_median: median(backfills),
    backfill_ms_max: backfills.length ? Math.max(...backfills) : 0,
    backfills_interrupted: interrupted,
    recovery_ms_median: median(recoveries),
    recovery_ms_max: recoveries.length ? Math.max(...recoveries) : 0,
    lost_sample: lost.slice(0, 5),
    extra_sample: extra.slice(0, 5).map((m) => ({ ...m, seen_on: seen.get(m.uri) ?? '' })),
    lost_by_phase: byPhase(lost),
    extra_by_phase: byPhase(extra),
    unseen_by_phase: byPhase(unseenAll),
    lost_rounds: rounds(lost),
    extra_rounds: rounds(extra),
    unseen_rounds: rounds(unseenAll),
  };
}
