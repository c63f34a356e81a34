import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';
import { fixture } from './helpers/fixtures';
import { normalizeStatus } from '../../src/core/normalize';
import { tootsToIPC } from '../../src/core/arrow-batch';
import { TootTable } from '../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import type { MastodonStatus } from '../../src/core/mastodon';
import { languagesSql, lengthsSql, WHIS_BLOG, type LanguageRow, type LengthRow } from '../../src/core/sql/charts';
import { cubeLanguagesSql, cubeLengthsSql } from '../../src/core/sql/cube/charts';
import { notebookViews } from '../../src/core/sql/schema';
import { languageName, languageNames } from '../../src/ui/language-names';
import { dailyTable } from '../../src/charts/chart-data';
import { LANGUAGE_CODES } from '../../src/core/language-codes';

/**
 * The blog's figures as it drew them (issue 17): languages and lengths without "unknown",
 * whiskers at seaborn's whis=100, every language code named, the day as `2023/02/03 Fri`.
 */
const base = fixture('01_stream_public_update_remote_mstdnjp.json') as MastodonStatus;
const T0 = Date.UTC(2023, 1, 3, 12);

/** [language, length] per post: English has one very long post (an outlier at 1.5 × IQR). */
const POSTS: Array<[string | null, number]> = [
  ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 2000].map((n): [string, number] => ['en', n]),
  ...[5, 15, 25].map((n): [string, number] => ['de', n]),
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n): [null, number] => [null, n]),
  ['zh-TW', 12], ['qq', 7],
];

let db: AnalyticsDb;
beforeAll(async () => {
  db = await openNodeDuckDb();
  const table = new TootTable(db);
  await table.init(languageNames());
  for (const v of notebookViews()) await db.exec(v);
  const rows = POSTS.map(([lang, len], i) =>
    normalizeStatus({
      ...base, id: String(1000 + i), uri: `https://a.example/users/u${i}/statuses/${i}`, url: `https://a.example/@u${i}/${i}`,
      created_at: new Date(T0 + i * 60_000).toISOString(), edited_at: null, language: lang, content: `<p>${'x'.repeat(len)}</p>`,
      account: { ...base.account, username: `u${i}`, acct: `u${i}@a.example` },
    } as MastodonStatus, 'https://a.example', 'stream', T0 + 86_400_000));
  await table.apply({ ipc: tootsToIPC(rows), deletes: [] });
});
afterAll(async () => db?.close());

describe('the blog’s languages chart', () => {
  it('keeps “unknown” by default and leaves it out as the blog did, cubes and rows alike', async () => {
    const all = await db.query<LanguageRow>(cubeLanguagesSql({}));
    expect(all.map((r) => r.code)).toContain('unknown');
    const blog = await db.query<LanguageRow>(cubeLanguagesSql({}, { unknown: false }));
    expect(blog.map((r) => r.code)).toEqual(['en', 'de', 'qq', 'zh-TW']);
    expect(blog.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 9);
    expect(await db.query(languagesSql({}, { unknown: false }))).toEqual(blog);
  });
});

describe('the blog’s box plot', () => {
  it('draws whiskers over the full range at whis=100, where 1.5 × IQR leaves the long post out', async () => {
    const tukey = await db.query<LengthRow>(cubeLengthsSql({}));
    const en = tukey.find((r) => r.code === 'en')!;
    expect(en.outliers).toBe(1);
    expect(en.whisker_hi).toBe(90);
    expect(tukey.map((r) => r.code)).toContain('unknown');

    const blog = await db.query<LengthRow>(cubeLengthsSql({}, { unknown: false, whis: WHIS_BLOG }));
    expect(blog.map((r) => r.code)).not.toContain('unknown');
    for (const r of blog) {
      expect([r.whisker_lo, r.whisker_hi, r.outliers], r.code).toEqual([r.min, r.max, 0]);
    }
    expect(blog.find((r) => r.code === 'en')!.whisker_hi).toBe(2000);
    expect(await db.query(lengthsSql({}, { unknown: false, whis: WHIS_BLOG }))).toEqual(blog);
  });
});

describe('language names', () => {
  it('names every code Mastodon tags with, also the ones Chromium’s ICU data cannot name', () => {
    // Measured in headless Chromium: Intl.DisplayNames('en', { fallback: 'code' }) gives these back as their code.
    const chromiumUnnamed = new Set(('aa ab ae av ba bi bo ce ch cr cu cv dz ff fj gv ho hz ie ii ik io iu kg ki kj kl kr ks kv kw li ' +
      'lu mh na nd ng nr nv oj os pi rn sc se sg ss ty ve vo za csb gsw jbo kab ldn lfn moh nds pdc sco sma smj szl tok vai xal zba ' +
      'zgh').split(' '));
    const node = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
    const chromiumLike = { of: (code: string) => (chromiumUnnamed.has(code) ? code : node.of(code)) };
    expect(LANGUAGE_CODES).toContain('zh-TW');
    for (const [code, name] of languageNames(chromiumLike)) {
      if (code !== 'unknown') expect(name, code).not.toBe(code);
    }
    expect(languageName('aa', chromiumLike)).toBe('Afar');
    expect(languageName('xx-YY', null)).toBe('xx-YY');
  });

  it('gives mastodon_toot a language_name for every code in the data, never NULL', async () => {
    const rows = await db.query<{ language: string; language_name: string | null }>(
      'SELECT DISTINCT language, language_name FROM mastodon_toot ORDER BY language');
    expect(rows.filter((r) => r.language_name === null)).toEqual([]);
    expect(rows).toContainEqual({ language: 'zh-TW', language_name: languageName('zh-TW') });
    expect(rows).toContainEqual({ language: 'qq', language_name: 'qq' });
  });
});

describe('the daily table', () => {
  it('shows the day as the blog did and says users are username@host', () => {
    const t = dailyTable([{
      day: '2023-02-03', toots: 5, users: 4, source_instances: 1, top_user: null, top_user_toots: null, top_bot: null, top_bot_toots: null,
      top_collected: null, top_collected_toots: null,
    }]);
    expect(t.rows[0]!.cells[0]).toBe('2023/02/03 Fri');
    expect(t.columns[2]!.label).toContain('username@host');
  });
});
