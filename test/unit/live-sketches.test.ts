import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusGenerator } from '../../src/core/demo/generator';
import { normalizeStatus } from '../../src/core/normalize';
import {
  LiveSketches, META_KEY, SEED_KEY, decodeRows, encodeRows, exactLiveSql, liveRow, type ExactFigures, type StoredEntry,
} from '../../src/core/sketch/live-sketches';
import { HEAP_K, LIVE_FORMAT_VERSION, RANK_ERROR, RESERVOIR_SIZE, SHOW_K } from '../../src/core/sketch/live-sizes';
import { stopWordsFor } from '../../src/core/sketch/stop-words';
import type { CountEntry, LiveRow, LiveSnapshot, SnapshotQuery } from '../../src/core/sketch/protocol';
import { seededRandom } from '../../src/core/sketch/random';
import { tokenize } from '../../src/core/sketch/tokenize';
import type { TootRow } from '../../src/core/toot';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import { openNodeDuckDb } from './helpers/node-duckdb';

const START = Date.UTC(2026, 0, 5, 12, 0, 0);
const A = 'https://mastodon.social';
const B = 'https://fosstodon.org';

/** Demo statuses as the page normalises them, from one instance's stream. */
function demoTootRows(base: string, n: number, seed: number): TootRow[] {
  const gen = new StatusGenerator({ seed, collectedFrom: base, startTime: START });
  return Array.from({ length: n }, (_, i) => normalizeStatus(gen.next(START + i * 50), base, 'demo', START + i * 50));
}

function demoRows(base: string, n: number, seed: number): LiveRow[] {
  return demoTootRows(base, n, seed).map(liveRow);
}

/** Two instances' rows interleaved, as the page would receive them. */
function twoInstances(nA: number, nB: number): LiveRow[] {
  const a = demoRows(A, nA, 1);
  const b = demoRows(B, nB, 2);
  const out: LiveRow[] = [];
  for (let i = 0; i < Math.max(nA, nB); i++) {
    if (i < nA) out.push(a[i]!);
    if (i < nB) out.push(b[i]!);
  }
  return out;
}

function feed(rows: readonly LiveRow[], opts: { seed?: number; batch?: number } = {}): LiveSketches {
  const live = new LiveSketches({ random: seededRandom(opts.seed ?? 9) });
  const batch = opts.batch ?? 500;
  for (let i = 0; i < rows.length; i += batch) live.add(rows.slice(i, i + batch));
  return live;
}

/** What a snapshot shows, without the bookkeeping that legitimately differs (timings). */
function shown(s: LiveSnapshot): Omit<LiveSnapshot, 'workerMs'> {
  const { workerMs: _, ...rest } = s;
  return rest;
}

const q = (over: Partial<SnapshotQuery> = {}): SnapshotQuery => ({ language: null, instance: null, stopWords: true, ...over });

/** Rank of value v in sorted data as an interval [count(< v), count(≤ v)] / n. */
function rankInterval(sorted: Float64Array, v: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end]! <= v) end++;
  return [lo / sorted.length, end / sorted.length];
}

function rankError(sorted: Float64Array, v: number, p: number): number {
  const [lo, hi] = rankInterval(sorted, v);
  return p < lo ? lo - p : p > hi ? p - hi : 0;
}

/** DuckDB's quantile_cont: linear interpolation between order statistics. */
function quantileCont(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]!);
}

/**
 * Identical counters give every key the same count; which keys tie at the 25th place can differ,
 * because a merge only re-ranks the keys some instance's heap held (HEAP_K each). Above that
 * last count the lists must be identical.
 */
function expectSameTop(a: readonly CountEntry[], b: readonly CountEntry[]): void {
  const boundary = Math.max(a.at(-1)?.count ?? 0, b.at(-1)?.count ?? 0);
  const above = (l: readonly CountEntry[]) => l.filter((e) => e.count > boundary);
  expect(above(a)).toEqual(above(b));
  expect(above(a).length).toBeGreaterThan(SHOW_K / 2);
}

describe('LiveSketches', () => {
  const rows = twoInstances(6000, 4000);

  it('counts a uri once, in the instance that delivered it first; repeats and edits are skipped', () => {
    const first = rows.slice(0, 100);
    const live = feed(first);
    const federated = { ...first[0]!, base: B };
    const edited = { ...first[1]!, text: 'an edited text' };
    live.add([federated, edited]);
    const s = live.snapshot(q());
    expect(s.rows).toBe(100);
    expect(s.repeats).toBe(2);
    expect(first[0]!.base).toBe(A);
    expect(live.instances.get(A)!.rows).toBe(first.filter((r) => r.base === A).length);
    expect(live.instances.get(B)!.rows).toBe(first.filter((r) => r.base === B).length);
    expect(s.reservoir.every((r) => r.text !== 'an edited text')).toBe(true);
  });

  it('forgets uris past its window (bounded memory): a very late repeat is counted again', () => {
    const live = new LiveSketches({ random: seededRandom(1), recentGeneration: 10 });
    const r = rows.slice(0, 40);
    live.add(r);
    live.add([r[0]!]);
    expect(live.repeats).toBe(0);
    expect(live.rows).toBe(41);
    live.add([r[39]!]);
    expect(live.repeats).toBe(1);
  });

  describe('per-instance sketches merged equal one sketch fed every row', () => {
    const split = feed(rows, { seed: 3 });
    const single = feed(
      rows.map((r) => ({ ...r, base: A })),
      { seed: 4 },
    );
    const merged = split.merged(null);
    const one = single.merged(null);
    const languages = one.languages.slice(0, 4).map((l) => l.code);

    it('has both instances, each with its own rows', () => {
      expect([...split.instances.keys()].sort()).toEqual([B, A].sort());
      expect(split.instances.get(A)!.rows).toBe(6000);
      expect(split.instances.get(B)!.rows).toBe(4000);
      expect(merged.rows).toBe(10_000);
      expect(merged.languages).toEqual(one.languages);
      expect(languages[0]).toBe('en');
    });

    it('HyperLogLog: identical registers, so an identical estimate', () => {
      expect(merged.users.equals(one.users)).toBe(true);
      expect(split.snapshot(q()).users).toEqual(single.snapshot(q()).users);
    });

    it('Count-Min (plain update): identical counters, so the same counts and the same top words and hashtags', () => {
      for (const lang of languages) {
        expect(merged.words(lang).content.sketch.equals(one.words(lang).content.sketch)).toBe(true);
        for (const stopWords of [true, false]) {
          const a = split.snapshot(q({ language: lang, stopWords }));
          const b = single.snapshot(q({ language: lang, stopWords }));
          expect(a.words.length).toBe(SHOW_K);
          expect(a.wordBound).toEqual(b.wordBound);
          const sketch = one.words(lang).content.sketch;
          for (const e of a.words) if (!e.exact) expect(e.count).toBe(sketch.estimate(e.key));
          // Japanese has no spaces: its "words" are runs of kana and kanji, nearly all rare and tied,
          // so which of them reach the heaps is luck. Languages with a real top 25 must agree.
          if (lang !== 'ja') expectSameTop(a.words, b.words);
        }
      }
      // English, most of the stream, has a clear top 25: the lists are identical.
      expect(split.snapshot(q({ language: 'en' })).words).toEqual(single.snapshot(q({ language: 'en' })).words);
      expect(merged.hashtags.sketch.equals(one.hashtags.sketch)).toBe(true);
      expectSameTop(split.snapshot(q()).hashtags, single.snapshot(q()).hashtags);
    });

    it('top words and hashtags are the true top 25, each count within [true, true + ε·N]', () => {
      for (const lang of languages) {
        const truth = new Map<string, number>();
        const stop = stopWordsFor(lang);
        for (const r of rows) {
          if (r.lang !== lang) continue;
          for (const t of tokenize(r.text, { dropNumbers: true })) if (!stop.has(t)) truth.set(t, (truth.get(t) ?? 0) + 1);
        }
        const s = split.snapshot(q({ language: lang }));
        const slack = s.wordBound.tolerance * s.wordBound.total;
        expect(s.wordBound.total).toBe([...truth.values()].reduce((a, b) => a + b, 0));
        for (const e of s.words) {
          expect(stop.has(e.key)).toBe(false);
          expect(e.count).toBeGreaterThanOrEqual(truth.get(e.key)!);
          expect(e.count).toBeLessThanOrEqual(truth.get(e.key)! + slack);
        }
        // The 25th shown count is at least the true 25th count (estimates never undercount).
        const trueTop = [...truth.values()].sort((a, b) => b - a);
        expect(s.words.at(-1)!.count).toBeGreaterThanOrEqual(trueTop[SHOW_K - 1]!);
      }
      const tags = new Map<string, number>();
      for (const r of rows) for (const t of r.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
      const s = split.snapshot(q());
      for (const e of s.hashtags) {
        expect(e.count).toBeGreaterThanOrEqual(tags.get(e.key)!);
        expect(e.count).toBeLessThanOrEqual(tags.get(e.key)! + s.hashtagBound.tolerance * s.hashtagBound.total);
      }
    });

    it('with stop words shown, they come in with exact counts and the toggle only changes the list', () => {
      const s = split.snapshot(q({ language: 'en', stopWords: false }));
      const truth = new Map<string, number>();
      const stop = stopWordsFor('en');
      for (const r of rows) {
        if (r.lang !== 'en') continue;
        for (const t of tokenize(r.text, { dropNumbers: true })) if (stop.has(t)) truth.set(t, (truth.get(t) ?? 0) + 1);
      }
      const exact = s.words.filter((e) => e.exact);
      expect(exact.length).toBeGreaterThan(0);
      for (const e of exact) expect(e.count).toBe(truth.get(e.key));
      // Every stop word counted more often than the last shown entry is in the list.
      const last = s.words.at(-1)!.count;
      for (const [key, count] of truth) if (count > last) expect(s.words).toContainEqual({ key, count, exact: true });
      for (let i = 1; i < s.words.length; i++) expect(s.words[i - 1]!.count).toBeGreaterThanOrEqual(s.words[i]!.count);
      const without = split.snapshot(q({ language: 'en', stopWords: true }));
      expect(without.words.filter((e) => !stop.has(e.key)).length).toBe(SHOW_K);
    });

    it('distinct users: the estimate is within 3σ (1.04/√m) of the exact count', () => {
      const exact = new Set(rows.map((r) => r.acct)).size;
      const s = split.snapshot(q());
      expect(Math.abs(s.users.estimate - exact)).toBeLessThanOrEqual(3 * s.users.relativeError * exact);
    });

    it('T-Digest: merged quantiles keep the quoted rank error, and [low, high] holds the exact value', () => {
      const sorted = Float64Array.from(rows.map((r) => r.chars)).sort();
      for (const live of [split, single]) {
        const s = live.snapshot(q());
        expect(s.lengths.count).toBe(10_000);
        for (const e of s.lengths.quantiles) {
          expect(rankError(sorted, e.value, e.q)).toBeLessThanOrEqual(RANK_ERROR);
          const exact = quantileCont(sorted, e.q);
          expect(exact).toBeGreaterThanOrEqual(e.low);
          expect(exact).toBeLessThanOrEqual(e.high);
        }
      }
    });

    it('reservoir: 20 distinct rows of the input, newest first, drawn from every row', () => {
      const s = split.snapshot(q());
      const uris = new Set(rows.map((r) => r.uri));
      expect(s.reservoir).toHaveLength(RESERVOIR_SIZE);
      expect(new Set(s.reservoir.map((r) => r.uri)).size).toBe(RESERVOIR_SIZE);
      for (const r of s.reservoir) expect(uris.has(r.uri)).toBe(true);
      for (let i = 1; i < s.reservoir.length; i++) expect(s.reservoir[i - 1]!.ts).toBeGreaterThanOrEqual(s.reservoir[i]!.ts);
      expect(s.reservoirSeen).toBe(10_000);
      // Both instances are represented in proportion (6000 : 4000): not all from one.
      expect(new Set(s.reservoir.map((r) => r.base)).size).toBe(2);
      // A fixed merge seed: the same sketches show the same sample, so the panel does not flicker.
      expect(split.snapshot(q()).reservoir).toEqual(s.reservoir);
    });

    it('one instance alone is its own sketches', () => {
      const s = split.snapshot(q({ instance: B }));
      expect(s.rows).toBe(4000);
      expect(s.reservoir.every((r) => r.base === B)).toBe(true);
      expect(s.users.estimate).toBeCloseTo(split.instances.get(B)!.users.count(), 6);
      expect(split.snapshot(q({ instance: 'https://nowhere.example' })).rows).toBe(0);
    });
  });

  it('measures the T-Digest rank error of merged demo lengths (quoted in RANK_ERROR)', () => {
    let worst = 0;
    for (const [nA, nB] of [[1200, 800], [5000, 5000], [12000, 8000]] as const) {
      const r = twoInstances(nA, nB);
      const s = feed(r).snapshot(q());
      const sorted = Float64Array.from(r.map((x) => x.chars)).sort();
      for (const e of s.lengths.quantiles) worst = Math.max(worst, rankError(sorted, e.value, e.q));
    }
    console.log(`live T-Digest worst rank error (merged, 2k-20k demo rows): ${(worst * 100).toFixed(3)} %`);
    // Ranks are multiples of 1/n: an error exactly at the quoted bound computes as 0.003 + 2.7e-18.
    expect(worst).toBeLessThanOrEqual(RANK_ERROR + 1e-12);
  });

  it('tokenizes as the issue asks: links and mentions gone, lower case, apostrophe variants one word', () => {
    const live = feed([
      {
        uri: 'u1', base: A, lang: 'en', acct: 'a@x', chars: 10, ts: 1, tags: ['Rust'],
        text: 'Don’t click https://example.com/Path?q=1 — @bob@example.social DON\'T Stop www.example.org/x',
      },
    ]);
    const s = live.snapshot(q({ language: 'en', stopWords: false }));
    const keys = s.words.map((e) => e.key);
    expect(s.words.find((e) => e.key === "don't")).toEqual({ key: "don't", count: 2, exact: true });
    expect(keys).toEqual(expect.arrayContaining(['click', 'stop']));
    for (const bad of ['https', 'example', 'com', 'bob', 'social', 'www', 'path']) expect(keys).not.toContain(bad);
    expect(live.snapshot(q({ language: 'en' })).words.map((e) => e.key)).not.toContain("don't");
    expect(s.hashtags).toEqual([{ key: 'rust', count: 1, exact: false }]);
  });

  describe('serialise and restore', () => {
    const first = rows.slice(0, 6000);
    const later = rows.slice(6000);

    it('restores to the same snapshots, and both go on identically (repeats still skipped)', () => {
      const live = feed(first, { seed: 5 });
      const { entries, rows: n } = live.serialise(true, 1234);
      expect(n).toBe(6000);
      // IndexedDB stores a structured clone.
      const stored = structuredClone(entries);
      const restored = LiveSketches.restore(stored, { random: seededRandom(5) });
      expect(restored.restoredRows).toBe(6000);
      expect(restored.savedRows).toBe(6000);
      expect(restored.savedAt).toBe(1234);
      for (const query of [q(), q({ language: 'de', stopWords: false }), q({ instance: B, language: 'ja' })]) {
        expect({ ...shown(restored.snapshot(query)), restoredRows: 0, savedRows: 0, savedAt: null }).toEqual({
          ...shown(live.snapshot(query)),
          restoredRows: 0,
          savedRows: 0,
          savedAt: null,
        });
      }
      // Continue both: the repeat filter was restored too, so old uris are still skipped.
      const more = [...later.slice(0, 2000), ...first.slice(0, 50)];
      live.add(more);
      restored.add(more);
      expect(restored.repeats).toBe(live.repeats);
      expect(restored.repeats).toBe(50);
      const a = restored.snapshot(q());
      const b = live.snapshot(q());
      expect(a.rows).toBe(8000);
      expect(a.words).toEqual(b.words);
      expect(a.hashtags).toEqual(b.hashtags);
      expect(a.users).toEqual(b.users);
      expect(a.lengths).toEqual(b.lengths);
      expect(a.languages).toEqual(b.languages);
      expect(a.reservoirSeen).toBe(b.reservoirSeen);
    });

    it('writes only what changed', () => {
      const live = feed(first.slice(0, 200));
      const all = live.serialise();
      expect(all.entries.some(([k]) => k === META_KEY)).toBe(true);
      expect(live.serialise().entries).toEqual([]);
      const row = { ...first[300]!, base: B, lang: 'fr' };
      live.add([row]);
      const keys = live.serialise().entries.map(([k]) => k).sort();
      // The seed's view (seed-words.ts) is one record for every instance: any counted row changes it.
      expect(keys).toEqual([META_KEY, SEED_KEY, `i\u0001${B}`, `w\u0001${B}\u0001fr`].sort());
      live.markDirty();
      const everything = new Set([...all.entries.map(([k]) => k), ...keys]);
      expect(live.serialise().entries.map(([k]) => k).sort()).toEqual([...everything].sort());
    });

    it('refuses records of another format version (the worker then starts empty)', () => {
      const { entries } = feed(first.slice(0, 10)).serialise(true);
      const old: StoredEntry[] = entries.map(([k, v]) => [k, { ...(v as object), v: LIVE_FORMAT_VERSION + 1 }]);
      expect(() => LiveSketches.restore(old)).toThrow(/format/);
      expect(LiveSketches.restore([]).rows).toBe(0);
    });

    it('keeps at most HEAP_K words per language and a small snapshot', () => {
      const live = feed(first);
      const s = live.snapshot(q({ language: 'en', stopWords: false }));
      expect(s.words.length).toBe(SHOW_K);
      expect(live.merged(null).words('en').content.top().length).toBeLessThanOrEqual(HEAP_K);
      expect(JSON.stringify(s).length).toBeLessThan(50_000);
    });
  });
});

describe('row batches for the worker', () => {
  it('pack into one string and two typed arrays and unpack to the same rows', () => {
    const full = demoTootRows(A, 300, 7);
    full.push({ ...full[0]!, uri: 'https://x/1', mastodon_text: '', hashtags: [], language: 'unknown' });
    full.push({ ...full[1]!, uri: 'https://x/2', mastodon_text: 'emoji 👩‍💻 and \u0000 and \ud800 lone surrogate', hashtags: ['a', 'b'] });
    const batch = encodeRows(full);
    expect(typeof batch.strings).toBe('string');
    const back = decodeRows(structuredClone(batch, { transfer: [batch.lengths.buffer, batch.numbers.buffer] }));
    expect(back).toEqual(full.map(liveRow));
    expect(decodeRows(encodeRows([]))).toEqual([]);
  });

  it('refuses a batch whose parts do not add up', () => {
    const batch = encodeRows(demoTootRows(A, 3, 1));
    expect(() => decodeRows({ ...batch, strings: batch.strings.slice(1) })).toThrow(RangeError);
    expect(() => decodeRows({ ...batch, count: 2 })).toThrow(RangeError);
  });
});

describe('exactLiveSql on DuckDB-WASM', () => {
  let db: AnalyticsDb;
  beforeAll(async () => {
    db = await openNodeDuckDb();
    await db.exec([
      'CREATE TABLE toots (base_url VARCHAR, acct VARCHAR, characters INTEGER)',
      `INSERT INTO toots SELECT CASE WHEN i % 3 = 0 THEN '${B}' ELSE 'https://it''s.example' END, 'u' || (i % 37), i FROM range(1, 1001) t(i)`,
    ]);
  });
  afterAll(async () => db?.close());

  it('gives the exact distinct users and quantile_cont p50/p90/p99, all or per instance', async () => {
    const [all] = await db.query<ExactFigures>(exactLiveSql(null));
    expect(all).toEqual({ toots: 1000, users: 37, p50: 500.5, p90: 900.1, p99: 990.01 });
    const [quoted] = await db.query<ExactFigures>(exactLiveSql("https://it's.example"));
    expect(quoted!.toots).toBe(667);
    const [none] = await db.query<ExactFigures>(exactLiveSql('https://none.example'));
    expect(none).toEqual({ toots: 0, users: 0, p50: null, p90: null, p99: null });
  });
});
