import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, waitForCount, waitForRowState } from './support/app-page';
import { download, publishPost, type PostSpec } from './support/charts-page';

/**
 * Issue 4's console proof: a known set of posts on a fake instance, SQL typed into the editor
 * returns exactly the rows those posts imply (Ctrl+Enter and the Run button), the seed notebook's
 * daily query runs verbatim, a network read is refused with the offline message, the history
 * survives a reload, and the CSV download holds the rows shown. Issue 14: writes to the app's own
 * tables and engine settings are refused before they run, and a table made in the console can be
 * changed (after a confirmation that says truly that a reload starts without it).
 */

// Two UTC days. newsbot (a bot) posts most on day 1, so the notebook's "most active person"
// (non-bots only) is alice there, not newsbot; bob leads day 2.
const POSTS: PostSpec[] = [
  { at: '2026-11-18T08:00:00Z', user: 'newsbot', bot: true, lang: 'en', app: 'feedbot', text: 'Headline 1' },
  { at: '2026-11-18T08:10:00Z', user: 'newsbot', bot: true, lang: 'en', app: 'feedbot', text: 'Headline 2' },
  { at: '2026-11-18T08:20:00Z', user: 'newsbot', bot: true, lang: 'en', app: 'feedbot', text: 'Headline 3' },
  { at: '2026-11-18T08:30:00Z', user: 'newsbot', bot: true, lang: 'en', app: 'feedbot', text: 'Headline 4' },
  { at: '2026-11-18T09:00:00Z', user: 'alice', lang: 'en', app: 'Elk', text: 'Morning coffee' },
  { at: '2026-11-18T09:30:00Z', user: 'alice', lang: 'en', app: 'Elk', text: 'Second coffee' },
  { at: '2026-11-18T10:15:00Z', user: 'alice', lang: 'en', app: 'Elk', text: 'Rain again' },
  { at: '2026-11-18T11:00:00Z', user: 'bob', lang: 'de', app: 'Ivory', text: 'Guten Morgen' },
  { at: '2026-11-19T07:00:00Z', user: 'newsbot', bot: true, lang: 'en', app: 'feedbot', text: 'Headline 5' },
  { at: '2026-11-19T12:00:00Z', user: 'bob', lang: 'de', app: 'Ivory', text: 'Hallo Welt' },
  { at: '2026-11-19T12:30:00Z', user: 'bob', lang: 'de', app: 'Ivory', text: 'Noch einmal' },
  { at: '2026-11-19T13:00:00Z', user: 'carol', lang: 'ja', app: 'Elk', text: 'こんにちは' },
  { at: '2026-11-19T14:00:00Z', user: 'dave', lang: null, app: null, text: 'untagged' },
];

/** The seed notebook's daily query, as the notebook has it. */
const DAILY_SQL =
  "SELECT created_tz::DATE AS day, count(*) AS toots, count(DISTINCT username) AS users, mode(CASE WHEN bot='False' THEN username END) AS top_user FROM mastodon_toot GROUP BY 1 ORDER BY 1";
const PEOPLE_SQL = 'SELECT username, language, app, bot, created_at_str FROM mastodon_toot WHERE NOT bot ORDER BY created_at, username';
const LANG_SQL =
  'SELECT language_name, count(*) AS toots, count(DISTINCT username) AS users FROM mastodon_toot GROUP BY ALL ORDER BY toots DESC, language_name';
const REFUSED_SQL = "SELECT * FROM read_parquet('https://x/y.parquet')";

const pad = (n: number) => String(n).padStart(2, '0');
/** The notebook's `created_at_str`: `YYYY MM DD HH:MM:SS` in UTC. */
const createdAtStr = (iso: string) => {
  const d = new Date(iso);
  return `${d.getUTCFullYear()} ${pad(d.getUTCMonth() + 1)} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** What the daily query must return, worked out from POSTS in plain JS. */
function expectedDaily(): string[][] {
  const days = [...new Set(POSTS.map((p) => p.at.slice(0, 10)))].sort();
  return days.map((day) => {
    const on = POSTS.filter((p) => p.at.startsWith(day));
    const people = new Map<string, number>();
    for (const p of on) if (!p.bot) people.set(p.user, (people.get(p.user) ?? 0) + 1);
    const ranked = [...people].sort((a, b) => b[1] - a[1]);
    // The mode must be unambiguous for the check to mean anything.
    expect(ranked[0]![1]).toBeGreaterThan(ranked[1]?.[1] ?? 0);
    return [day, String(on.length), String(new Set(on.map((p) => p.user)).size), ranked[0]![0]];
  });
}

function expectedPeople(): string[][] {
  return POSTS.filter((p) => !p.bot)
    .sort((a, b) => a.at.localeCompare(b.at) || a.user.localeCompare(b.user))
    .map((p) => [p.user, p.lang ?? 'unknown', p.app ?? '', 'false', createdAtStr(p.at)]);
}

function expectedLanguages(): string[][] {
  const names: Record<string, string> = { en: 'English', de: 'German', ja: 'Japanese', unknown: 'unknown' };
  const by = new Map<string, PostSpec[]>();
  for (const p of POSTS) {
    const name = names[p.lang ?? 'unknown']!;
    by.set(name, [...(by.get(name) ?? []), p]);
  }
  return [...by]
    .map(([name, ps]) => [name, ps.length, new Set(ps.map((p) => p.user)).size] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([name, n, users]) => [name, String(n), String(users)]);
}

const oneLine = (s: string) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 90 ? `${t.slice(0, 89)}…` : t;
};

async function resultTable(page: Page): Promise<{ columns: string[]; rows: string[][] }> {
  const region = page.getByRole('region', { name: 'Query result' });
  if (!(await region.count())) return { columns: [], rows: [] };
  return region.evaluate((el) => ({
    columns: [...el.querySelectorAll('thead th')].slice(1).map((th) => th.textContent ?? ''),
    rows: [...el.querySelectorAll('tbody tr:not(.spacer)')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  }));
}

/** Waits until the result region shows exactly these columns and rows. */
async function expectResult(page: Page, columns: string[], rows: string[][]): Promise<void> {
  await expect.poll(() => resultTable(page), { timeout: 60_000 }).toEqual({ columns, rows });
  await expect
    .poll(() => page.getByTestId('sql-status').textContent(), { timeout: 5_000 })
    .toMatch(new RegExp(`^${rows.length} ${rows.length === 1 ? 'row' : 'rows'} · [\\d.,]+ ms$`));
  expect(await page.getByTestId('sql-error').count()).toBe(0);
}

const COUNT_SQL = 'SELECT count(*) AS n FROM toots';
const LONG_SQL = 'SELECT count(*) AS n FROM range(1000000000000) a';

describe('SQL console', () => {
  const h = useHarness({ fakes: { alpha: { domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 41 } } });
  const fake = () => h.fakes.alpha;
  let page: Page;
  let editor: Locator;
  const pageErrors: string[] = [];

  it('returns the rows the published posts imply, run with Ctrl+Enter and with Run', async () => {
    page = await openApp(h.context, `${h.url}?instances=${fake().webUrl}`);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const host = new URL(fake().webUrl).host;
    await expect.poll(() => row(page, host).count(), { timeout: 20_000 }).toBe(1);
    await waitForRowState(page, host, /^polling/);
    for (const p of POSTS) publishPost(fake(), p);
    await waitForCount(page, POSTS.length);

    editor = page.getByRole('textbox', { name: 'SQL' });
    await editor.fill(PEOPLE_SQL);
    await editor.press('Control+Enter');
    await expectResult(page, ['username', 'language', 'app', 'bot', 'created_at_str'], expectedPeople());

    await editor.fill(LANG_SQL);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expectResult(page, ['language_name', 'toots', 'users'], expectedLanguages());

    // Ctrl+Enter while the completion list is open runs the query and closes the list (issue 18).
    await editor.fill(COUNT_SQL.slice(0, -1));
    await editor.press('End');
    await editor.pressSequentially('s');
    const popup = page.locator('.cm-tooltip-autocomplete');
    await expect.poll(() => popup.count(), { timeout: 10_000 }).toBe(1);
    await editor.press('Control+Enter');
    await expectResult(page, ['n'], [[String(POSTS.length)]]);
    expect(await popup.count()).toBe(0);
  });

  it('lists tables and columns in a schema panel, and a click inserts a name', async () => {
    const schema = page.getByTestId('sql-schema');
    await schema.locator('summary').first().click();
    const toots = schema.locator('details', { has: page.getByRole('button', { name: 'toots', exact: true }) }).first();
    await expect.poll(() => toots.getByRole('button', { name: 'mastodon_text', exact: true }).count(), { timeout: 10_000 }).toBe(1);
    expect(await toots.textContent()).toContain('created_ts');
    await editor.fill('SELECT  FROM toots');
    await editor.press('Home');
    for (let i = 0; i < 'SELECT '.length; i++) await editor.press('ArrowRight');
    await toots.getByRole('button', { name: 'mastodon_text', exact: true }).click();
    await expect.poll(() => editor.evaluate((el) => (el as HTMLElement).innerText.trim())).toBe('SELECT mastodon_text FROM toots');
    // Closed again: the tests below read the result table where it was.
    await schema.locator('summary').first().click();
  });

  it('cancels a long query and runs the next one', async () => {
    await editor.fill(LONG_SQL);
    await editor.press('Control+Enter');
    const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
    await expect.poll(() => cancel.count(), { timeout: 20_000 }).toBe(1);
    await cancel.click();
    await expect.poll(() => page.getByTestId('sql-error').textContent(), { timeout: 30_000 }).toMatch(/^Cancelled: the query was stopped/);
    await editor.fill(COUNT_SQL);
    await editor.press('Control+Enter');
    await expectResult(page, ['n'], [[String(POSTS.length)]]);
  });

  it("runs the seed notebook's daily query verbatim, and the CSV download holds its rows", async () => {
    // Picked from the examples: the text the notebook ran, unchanged.
    await page.getByLabel('Examples').selectOption({ label: 'Daily toots, users and the most active person' });
    await expect.poll(() => editor.evaluate((el) => (el as HTMLElement).innerText.trim()), { timeout: 5_000 }).toBe(DAILY_SQL);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const daily = expectedDaily();
    expect(daily).toEqual([
      ['2026-11-18', '8', '3', 'alice'],
      ['2026-11-19', '5', '4', 'bob'],
    ]);
    await expectResult(page, ['day', 'toots', 'users', 'top_user'], daily);

    // The console's own button (the daily-usage chart's table has one too).
    const sqlSection = page.getByRole('region', { name: 'SQL console' });
    const csv = await download(page, () => sqlSection.getByRole('button', { name: 'Download CSV' }).click());
    expect(csv.name).toMatch(/^tootscope-query-.*\.csv$/);
    const lines = ['day,toots,users,top_user', ...daily.map((r) => r.join(','))];
    expect(csv.bytes.toString('utf8')).toBe(`${lines.join('\r\n')}\r\n`);
  });

  it('refuses a network read with the offline message', async () => {
    await editor.fill(REFUSED_SQL);
    await editor.press('Control+Enter');
    const error = page.getByTestId('sql-error');
    await expect.poll(() => error.count(), { timeout: 5_000 }).toBe(1);
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('read_parquet() is not available');
    expect(text).toContain('not available offline');
    // The previous result is gone: it would read as this statement's.
    expect(await page.getByRole('region', { name: 'Query result' }).count()).toBe(0);
    expect(await page.getByTestId('sql-status').count()).toBe(0);
  });

  it('keeps the history across a reload, and a query from it runs again', async () => {
    await page.reload();
    await waitForCount(page, POSTS.length);
    const history = page.getByLabel('History');
    const newestFirst = [REFUSED_SQL, DAILY_SQL, COUNT_SQL, LONG_SQL, LANG_SQL, PEOPLE_SQL];
    await expect.poll(() => history.locator('option').allTextContents(), { timeout: 20_000 }).toEqual([
      `${newestFirst.length} earlier queries…`,
      ...newestFirst.map(oneLine),
    ]);

    // ↑ in the empty editor recalls the newest entry.
    editor = page.getByRole('textbox', { name: 'SQL' });
    await editor.click();
    await editor.press('ArrowUp');
    await expect.poll(() => editor.evaluate((el) => (el as HTMLElement).innerText.trim()), { timeout: 5_000 }).toBe(REFUSED_SQL);

    await history.selectOption({ index: 5 });
    await expect.poll(() => editor.evaluate((el) => (el as HTMLElement).innerText.trim()), { timeout: 5_000 }).toBe(LANG_SQL);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expectResult(page, ['language_name', 'toots', 'users'], expectedLanguages());
    expect(pageErrors).toEqual([]);
  });

  it("refuses writes to the collection's tables and engine settings, keeps every row, and lets a table of one's own change", async () => {
    const ROWS_SQL = 'SELECT uri, mastodon_text, username FROM toots ORDER BY uri';
    const run = async (sql: string) => {
      await editor.fill(sql);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
    };
    const rowsNow = async () => {
      await run(ROWS_SQL);
      await expect.poll(async () => (await resultTable(page)).rows.length, { timeout: 60_000 }).toBe(POSTS.length);
      return resultTable(page);
    };
    const before = await rowsNow();
    expect(before.rows.map((r) => r[1]).sort()).toEqual(POSTS.map((p) => p.text).sort());

    const error = page.getByTestId('sql-error');
    for (const [sql, said] of [
      ["UPDATE toot_store SET mastodon_text = 'PWNED-BY-CONSOLE' WHERE m_id % 3 = 0", 'UPDATE on toot_store is refused'],
      ['DELETE FROM toot_store WHERE m_id % 2 = 0', 'DELETE on toot_store is refused'],
      ["SET memory_limit = '10MB'", 'SET memory_limit is refused'],
    ] as const) {
      await run(sql);
      await expect.poll(() => error.textContent(), { timeout: 5_000 }).toContain(said);
      expect(await page.locator('.sql-confirm').count(), sql).toBe(0);
    }
    expect(await error.textContent()).toContain('memory_limit, threads');
    await run('DELETE FROM toot_store WHERE m_id % 2 = 0');
    await expect.poll(() => error.textContent(), { timeout: 5_000 }).toContain('CREATE TEMP TABLE mine AS SELECT * FROM toots');
    expect(await rowsNow()).toEqual(before);

    // A table of one's own: made without a question, changed after one that tells the truth.
    await run('CREATE TEMP TABLE mine AS SELECT * FROM toots');
    await expect.poll(() => page.getByTestId('sql-status').textContent(), { timeout: 10_000 }).toMatch(/^Done/);
    await run("UPDATE mine SET mastodon_text = 'changed' WHERE username = 'newsbot'");
    const confirm = page.locator('.sql-confirm');
    await expect.poll(() => confirm.textContent(), { timeout: 5_000 }).toContain('A TEMP table is gone after a reload');
    await confirm.getByRole('button', { name: 'Run anyway' }).click();
    const newsbot = POSTS.filter((p) => p.user === 'newsbot').length;
    await expect.poll(() => page.getByTestId('sql-status').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`^Done: ${newsbot} rows changed`));
    await run("SELECT count(*) AS n FROM mine WHERE mastodon_text = 'changed'");
    await expectResult(page, ['n'], [[String(newsbot)]]);

    // After a reload every collected row is as it was, and the TEMP table is gone, as the dialog said.
    await page.reload();
    await waitForCount(page, POSTS.length);
    editor = page.getByRole('textbox', { name: 'SQL' });
    await expect.poll(() => page.getByRole('button', { name: 'Run', exact: true }).isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await rowsNow()).toEqual(before);
    await run('SELECT count(*) FROM mine');
    await expect.poll(() => page.getByTestId('sql-error').textContent(), { timeout: 10_000 }).toMatch(/mine does not exist/);
    expect(pageErrors).toEqual([]);
  });
});
