import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FakeMastodon } from '../fake-mastodon';
import type { MastodonStatus } from '../../src/core/mastodon';
import { formatMean, formatMinute, formatShare } from '../../src/charts/format';
import { useHarness } from './support/harness';
import { openApp, row, waitForCount, waitForRowState } from './support/app-page';
import { card, chartSvg, chips, download, param, publishPost, readTable } from './support/charts-page';
import { DAY, P, POSTS, type Inst, type Post } from './support/chart-posts';

/** A day as the blog's daily table printed it (strftime('%Y/%m/%d %a')): 2026-11-20 → 2026/11/20 Fri. */
const blogDay = (day: string) => `${day.replaceAll('-', '/')} ${new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })}`;

/**
 * Issue 4's charts proof. 22 posts on two fake instances (alpha.test, beta.test), in four
 * ten-minute clusters two hours apart (09, 11, 13, 15 UTC on 2026-11-20), three of alpha's posts
 * also carried by beta. Every chart's table must show what those posts imply (worked out below in
 * plain JS), a click on a language and a brush across the activity chart must filter every chart,
 * the filters must show as chips and live in the URL so the link reproduces the view, and the
 * drawings must download as SVG and PNG.
 */

const KEYWORD = 'coffee';
const NAMES: Record<string, string> = { en: 'English', de: 'German', ja: 'Japanese', unknown: 'unknown' };
const HOUR = 3_600_000;

interface Filter {
  from?: number;
  to?: number;
  langs?: string[];
  /** Author's instances (hosts). */
  instances?: string[];
}

/** A post as the `toots` table should hold it. */
interface Row {
  t: number;
  code: string;
  acct: string;
  bot: boolean;
  app: string;
  from: string;
  base: string;
  seen: string[];
  chars: number;
  tags: string[];
  text: string;
}

const int = (n: number) => n.toLocaleString('en-US');
/** DuckDB's ORDER BY on VARCHAR (byte order) for the ASCII keys used here. */
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('charts: tables, cross-filtering, the URL, downloads', () => {
  const h = useHarness({
    fakes: {
      alpha: { domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 51 },
      beta: { domain: 'beta.test', liveFeeds: 'public', cacheSeconds: 1, seed: 52 },
    },
  });
  let alpha: FakeMastodon;
  let beta: FakeMastodon;
  let page: Page;
  let posts: Row[] = [];
  const pageErrors: string[] = [];

  const url = (inst: Inst) => (inst === 'alpha' ? alpha : beta).webUrl;
  const hostLabel = (u: string) => u.replace(/^https?:\/\//, '');

  function toRow(p: Post): Row {
    return {
      t: Date.parse(p.at),
      code: p.lang ?? 'unknown',
      acct: `${p.user}@${p.inst}.test`,
      bot: p.bot === true,
      app: p.app ?? '',
      from: `${p.inst}.test`,
      base: url(p.inst),
      seen: p.shared ? [url('alpha'), url('beta')].sort() : [url(p.inst)],
      chars: [...p.text].length,
      tags: [...new Set((p.tags ?? []).map((t) => t.toLowerCase()))],
      text: p.text,
    };
  }

  function filtered(f: Filter): Row[] {
    return posts.filter(
      (r) =>
        (f.from === undefined || r.t >= f.from) &&
        (f.to === undefined || r.t < f.to) &&
        (!f.langs?.length || f.langs.includes(r.code)) &&
        (!f.instances?.length || f.instances.includes(r.from)),
    );
  }

  /** Count per key, busiest first, ties by key (the charts' ORDER BY n DESC, key). */
  function ranked<T>(rows: T[], key: (r: T) => string | null): Array<[string, number]> {
    const m = new Map<string, number>();
    for (const r of rows) {
      const k = key(r);
      if (k !== null) m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m].sort((a, b) => b[1] - a[1] || byKey(a[0], b[0]));
  }

  /** Hour buckets from the first post's hour to the last's, with counts. */
  function hours(rows: Row[], match: (r: Row) => boolean = () => true): Array<[number, number]> {
    if (!rows.length) return [];
    const ts = rows.map((r) => Math.floor(r.t / HOUR) * HOUR);
    const out: Array<[number, number]> = [];
    for (let h = Math.min(...ts); h <= Math.max(...ts); h += HOUR) {
      out.push([h, rows.filter((r, i) => ts[i] === h && match(r)).length]);
    }
    return out;
  }

  const quantile = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    const pos = p * (s.length - 1);
    const lo = Math.floor(pos);
    return s[lo]! + (pos - lo) * (s[Math.ceil(pos)]! - s[lo]!);
  };

  /** Each chart's table as the page should show it under filter `f`. */
  function expected(f: Filter) {
    const rows = filtered(f);
    const total = rows.length;
    const languages = ranked(rows, (r) => r.code).map(([code, n]) => [NAMES[code]!, code, int(n), formatShare(n / total)]);

    const days = [...new Set(rows.map((r) => new Date(r.t).toISOString().slice(0, 10)))].sort();
    const daily = days.map((day) => {
      const on = rows.filter((r) => new Date(r.t).toISOString().startsWith(day));
      const top = (xs: Row[], k: (r: Row) => string, label = (s: string) => s) => {
        const first = ranked(xs, k)[0];
        return first ? `${label(first[0])} (${first[1]})` : '–';
      };
      return [
        blogDay(day), int(on.length), int(new Set(on.map((r) => r.acct)).size), int(new Set(on.map((r) => r.from)).size),
        top(on.filter((r) => !r.bot), (r) => r.acct), top(on.filter((r) => r.bot), (r) => r.acct), top(on, (r) => r.base, hostLabel),
      ];
    });

    const hourly = hours(rows).map(([h, n]) => [new Date(h).toISOString().slice(0, 10), `${new Date(h).toISOString().slice(11, 13)}:00`, int(n)]);
    const apps = ranked(rows.filter((r) => !r.bot && r.app !== ''), (r) => r.app).slice(0, 10).map(([a, n]) => [a, int(n)]);
    const hashtags = ranked(rows.flatMap((r) => r.tags.map((tag) => ({ tag }))), (x) => x.tag).slice(0, 20).map(([t, n]) => [`#${t}`, int(n)]);

    const lengths = ranked(rows, (r) => r.code).slice(0, 20).map(([code, n]) => {
      const xs = rows.filter((r) => r.code === code).map((r) => r.chars);
      const q1 = quantile(xs, 0.25);
      const q3 = quantile(xs, 0.75);
      const lo = q1 - 1.5 * (q3 - q1);
      const hi = q3 + 1.5 * (q3 - q1);
      const inside = xs.filter((x) => x >= lo && x <= hi);
      return [
        NAMES[code]!, ...[n, Math.min(...xs), q1, quantile(xs, 0.5), q3, Math.max(...xs), Math.min(...inside), Math.max(...inside), xs.length - inside.length].map(formatMean),
      ];
    });

    const sizes = ranked(rows.flatMap((r) => r.seen.map((inst) => ({ inst }))), (x) => x.inst).slice(0, 12);
    const overlap: string[][] = [];
    for (const [a, na] of sizes) {
      for (const [b, nb] of sizes) {
        if (!(a < b)) continue;
        const both = rows.filter((r) => r.seen.includes(a) && r.seen.includes(b)).length;
        overlap.push([hostLabel(a), hostLabel(b), int(na), int(nb), int(both), formatShare(both / (na + nb - both)), formatShare(both / Math.min(na, nb))]);
      }
    }

    // Activity per hour (the test sets "Per: hour"): the rolling window is then one bucket, so the mean is the count.
    const grid = hours(rows);
    const activity = ranked(rows, (r) => r.from).slice(0, 8).flatMap(([series]) =>
      grid.map(([h]) => {
        const n = rows.filter((r) => r.from === series && Math.floor(r.t / HOUR) * HOUR === h).length;
        return [formatMinute(new Date(h)), series, int(n), formatMean(n)];
      }),
    );
    const keywords = hours(rows, (r) => r.text.toLowerCase().includes(KEYWORD)).map(([h, n]) => [formatMinute(new Date(h)), KEYWORD, int(n)]);
    return { total, languages, daily, hourly, apps, hashtags, lengths, overlap, activity, keywords };
  }

  const CARDS = {
    activity: 'Activity over time by instance',
    daily: 'Daily usage',
    hourly: 'Activity by hour of day',
    languages: 'Top 20 languages',
    lengths: 'Toot length by language',
    apps: 'Client apps',
    hashtags: 'Top hashtags',
    overlap: 'Federation overlap',
    keywords: 'Keyword trends',
  } as const;
  type CardKey = keyof typeof CARDS;

  /** Polls until every listed chart's table shows what filter `f` implies. */
  async function expectTables(p: Page, f: Filter, which: CardKey[] = Object.keys(CARDS) as CardKey[]): Promise<void> {
    const want = expected(f);
    for (const k of which) {
      await expect
        .poll(async () => (await readTable(card(p, CARDS[k]))).rows, { timeout: 15_000, message: `table of "${CARDS[k]}"` })
        .toEqual(want[k]);
    }
    await expect.poll(() => p.getByText(`${int(want.total)} ${want.total === 1 ? 'toot' : 'toots'} in view`).count(), { timeout: 10_000 }).toBe(1);
  }

  beforeAll(() => {
    ({ alpha, beta } = h.fakes);
  });

  it("labels every chart, and each table shows the published posts' numbers", async () => {
    page = await openApp(h.context, `${h.url}?instances=${alpha.webUrl},${beta.webUrl}`);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    for (const f of [alpha, beta]) {
      const host = new URL(f.webUrl).host;
      await expect.poll(() => row(page, host).count(), { timeout: 20_000 }).toBe(1);
      await waitForRowState(page, host, /^polling/);
    }

    // Alpha's copies first, so the shared posts are "collected from" alpha (base_url) without a race.
    const published = new Map<Post, MastodonStatus>();
    for (const p of POSTS) published.set(p, publishPost(p.inst === 'alpha' ? alpha : beta, p));
    posts = POSTS.map(toRow);
    await waitForCount(page, POSTS.length);
    for (const p of POSTS.filter((x) => x.shared)) beta.publishFrom(published.get(p)!);

    // The numbers below rest on these, worked out by hand from POSTS.
    const all = expected({});
    expect(all.total).toBe(22);
    expect(all.languages.map((r) => [r[1], r[2]])).toEqual([['en', '11'], ['de', '6'], ['ja', '4'], ['unknown', '1']]);
    expect(all.overlap).toEqual([[expect.any(String), expect.any(String), expect.any(String), expect.any(String), '3', expect.any(String), expect.any(String)]]);

    await page.getByLabel('Keywords, separated by commas').fill(KEYWORD);
    await card(page, CARDS.activity).locator('label').filter({ hasText: /^\s*Per\b/ }).locator('select').selectOption('hour');
    await expectTables(page, {});
    // beta's copies were folded into the posts alpha delivered, not counted again.
    await waitForCount(page, POSTS.length);

    // Every drawing has a label that says what it shows.
    const labels: Record<CardKey, string> = {
      activity: "Line chart: toots per hour by author's instance, 2 series: alpha.test, beta.test.",
      daily: `Bar chart: toots per day. Top: ${blogDay(DAY)} 22.`,
      hourly: 'Line chart: toots per hour of day, one line per day, in UTC.',
      languages: 'Bar chart: toots per language. Top: English (en) 11, German (de) 6, Japanese (ja) 4.',
      lengths: 'Box plot: toot length in characters per language, 4 languages.',
      apps: 'Bar chart: toots per client app, non-bot local posts. Top: Elk 10, Phanpy 4, Ivory 3.',
      hashtags: 'Bar chart: toots per hashtag. Top: #coffee 6, #rain 3, #news 2.',
      overlap: 'Matrix: share of posts seen on both = |A∩B| / |A∪B| (Jaccard), 2 instances.',
      keywords: 'Line chart: toots per hour containing “coffee”.',
    };
    for (const [k, label] of Object.entries(labels) as Array<[CardKey, string]>) {
      const svg = await chartSvg(card(page, CARDS[k]));
      await expect.poll(() => svg.getAttribute('aria-label'), { timeout: 5_000, message: `aria-label of "${CARDS[k]}"` }).toBe(label);
      expect(await svg.getAttribute('role')).toMatch(/^(img|group)$/);
    }
    expect(await page.locator('section.charts svg.chart').count()).toBe(Object.keys(CARDS).length);
  });

  it('a click on a language bar filters every other chart to that language; removing the chip restores them', async () => {
    const languages = card(page, CARDS.languages);
    await (await chartSvg(languages)).locator('[role=button][data-pick-value="de"][aria-description="Filter by German (de)"]').click();
    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual(['language: German (de)']);
    await expect.poll(() => param(page, 'lang'), { timeout: 5_000 }).toBe('de');
    const de = expected({ langs: ['de'] });
    expect(de.total).toBe(6);
    expect(de.daily[0]!.slice(1, 5)).toEqual(['6', '3', '2', 'bob@alpha.test (3)']);
    await expectTables(page, { langs: ['de'] });

    await page.getByRole('button', { name: 'Remove filter language: German (de)' }).click();
    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual([]);
    await expect.poll(() => param(page, 'lang'), { timeout: 5_000 }).toBe(null);
    await expectTables(page, {});
  });

  it('a brush across the activity chart sets a time filter snapped to its hours: chip, from/to in the URL, and the language totals of that range', async () => {
    const activity = card(page, CARDS.activity);
    const svg = await chartSvg(activity);
    await svg.scrollIntoViewIfNeeded();
    const overlay = svg.locator('g.brush rect.overlay');
    const box = (await overlay.boundingBox())!;
    expect(box.width).toBeGreaterThan(200);
    // Per hour, the x axis runs from the first bucket (09:00) to the last (15:00).
    const d0 = Date.parse(`${DAY}T09:00:00Z`);
    const d1 = Date.parse(`${DAY}T15:00:00Z`);
    const x = (iso: string) => box.x + ((Date.parse(iso) - d0) / (d1 - d0)) * box.width;
    const y = box.y + box.height / 2;
    await page.mouse.move(x(`${DAY}T10:00:00Z`), y);
    await page.mouse.down();
    await page.mouse.move(x(`${DAY}T12:00:00Z`), y, { steps: 5 });
    await page.mouse.move(x(`${DAY}T14:00:00Z`), y, { steps: 5 });
    await page.mouse.up();

    // The drag ended within a pixel or two of 10:00 and 14:00; the bars it covered are whole hours.
    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual([`time: ${DAY} 10:00 UTC – ${DAY} 14:00 UTC`]);
    const from = Date.parse((await param(page, 'from')) ?? '');
    const to = Date.parse((await param(page, 'to')) ?? '');
    expect([from, to]).toEqual([Date.parse(`${DAY}T10:00:00Z`), Date.parse(`${DAY}T14:00:00Z`)]);

    const range = expected({ from, to });
    expect(range.total).toBe(12);
    expect(range.languages.map((r) => [r[1], r[2]])).toEqual([['en', '6'], ['de', '5'], ['ja', '1']]);
    await expectTables(page, { from, to }, ['languages', 'hourly', 'daily', 'activity', 'apps']);
  });

  it('the keyboard sets the same time filter: From and To fields under the activity chart, a wrong time explained', async () => {
    const activity = card(page, CARDS.activity);
    await chartSvg(activity);
    // Keyboard only from here: focus moves with Tab, values are typed, Enter submits.
    await page.getByRole('button', { name: 'Clear filters' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual([]);
    const from = activity.getByRole('textbox', { name: 'From' });
    await from.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('yesterday');
    await page.keyboard.press('Enter');
    await expect.poll(() => activity.getByRole('alert').textContent(), { timeout: 5_000 }).toMatch(/From: “yesterday” is not a time: write it as 2026-11-20 14:30/);
    expect(await chips(page)).toEqual([]);

    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(`${DAY} 10:00`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('to');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(`${DAY} 14:00`);
    await page.keyboard.press('Enter');

    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual([`time: ${DAY} 10:00 UTC – ${DAY} 14:00 UTC`]);
    expect(await activity.getByRole('alert').count()).toBe(0);
    const f = { from: Date.parse(`${DAY}T10:00:00Z`), to: Date.parse(`${DAY}T14:00:00Z`) };
    expect(Date.parse((await param(page, 'from')) ?? '')).toBe(f.from);
    expect(Date.parse((await param(page, 'to')) ?? '')).toBe(f.to);
    expect(expected(f).total).toBe(12);
    await expectTables(page, f, ['languages', 'hourly', 'daily', 'activity', 'apps']);
    // The fields show the filter as it stands, so a mouse brush and the keyboard agree.
    expect(await from.inputValue()).toBe(`${DAY} 10:00`);
  });

  it('the URL reproduces the view (time range and instance) in a new page', async () => {
    // Add an author's-instance filter from the activity chart's legend.
    const svg = await chartSvg(card(page, CARDS.activity));
    await svg.locator('[role=button][aria-description="Filter by beta.test"]').click();
    await expect.poll(async () => (await chips(page)).length, { timeout: 5_000 }).toBe(2);
    expect((await chips(page))[1]).toBe("author's instance: beta.test");
    await expect.poll(() => param(page, 'instance'), { timeout: 5_000 }).toBe('beta.test');
    const from = Date.parse((await param(page, 'from'))!);
    const to = Date.parse((await param(page, 'to'))!);
    const f: Filter = { from, to, instances: ['beta.test'] };
    expect(expected(f).languages.map((r) => [r[1], r[2]])).toEqual([['en', '4'], ['de', '1'], ['ja', '1']]);
    await expectTables(page, f, ['languages', 'daily']);
    const shown = await chips(page);
    const link = await page.evaluate(() => location.href);
    expect(link).toContain(`instances=${alpha.webUrl},${beta.webUrl}`);

    await page.close();
    page = await openApp(h.context, link);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await waitForCount(page, POSTS.length);
    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual(shown);
    expect(await page.evaluate(() => location.href)).toBe(link);
    await expectTables(page, f, ['languages', 'daily', 'hourly', 'overlap']);
  });

  it('downloads a chart as a valid SVG carrying its label, and as a PNG', async () => {
    const languages = card(page, CARDS.languages);
    const svg = await chartSvg(languages);
    const label = (await svg.getAttribute('aria-label'))!;
    expect(label).toBe('Bar chart: toots per language. Top: English (en) 4, German (de) 1, Japanese (ja) 1.');

    const svgFile = await download(page, () => languages.getByRole('button', { name: 'Download Top 20 languages as SVG' }).click());
    expect(svgFile.name).toMatch(/^tootscope-top-20-languages-.*\.svg$/);
    const text = svgFile.bytes.toString('utf8');
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    // Parsed as an SVG document by the browser's XML parser: no parser error, an <svg> root with the label.
    const parsed = await page.evaluate((src) => {
      const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        error: doc.getElementsByTagName('parsererror').length,
        root: root.localName,
        ns: root.namespaceURI,
        label: root.getAttribute('aria-label'),
        bars: doc.querySelectorAll('[data-pick-value]').length,
        brush: doc.querySelectorAll('.brush').length,
      };
    }, text);
    expect(parsed).toEqual({ error: 0, root: 'svg', ns: 'http://www.w3.org/2000/svg', label, bars: 3, brush: 0 });

    const png = await download(page, () => languages.getByRole('button', { name: 'Download Top 20 languages as PNG' }).click());
    expect(png.name).toMatch(/^tootscope-top-20-languages-.*\.png$/);
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: drawn at twice the on-screen size.
    const size = (await svg.boundingBox())!;
    expect(png.bytes.toString('latin1', 12, 16)).toBe('IHDR');
    expect(png.bytes.readUInt32BE(16)).toBe(Math.round(size.width * 2));
    expect(png.bytes.readUInt32BE(20)).toBe(Math.round(size.height * 2));
    expect(pageErrors).toEqual([]);
  });

  it("keeps a post's client app when a federated copy (which carries none) arrives later", async () => {
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => chips(page), { timeout: 5_000 }).toEqual([]);
    await expect.poll(() => Promise.all([param(page, 'from'), param(page, 'to'), param(page, 'instance')]), { timeout: 5_000 }).toEqual([null, null, null]);

    // Posted with Tusky on its home server (alpha) and collected there: the app is known.
    const post = P('alpha', '16:00', 'erin', 'en', 'Tusky', 'Posted from my phone');
    const status = publishPost(alpha, post);
    posts.push(toRow(post));
    await waitForCount(page, POSTS.length + 1);
    await expectTables(page, {}, ['apps']);
    expect(expected({}).apps).toContainEqual(['Tusky', '1']);

    // beta then carries the same post; Mastodon leaves `application` out of a federated copy
    // because only the home server knows it. Nothing about the post changed.
    beta.publishFrom(status);
    posts[posts.length - 1] = toRow({ ...post, shared: true });
    await expectTables(page, {}, ['overlap']);
    await expectTables(page, {}, ['apps']);
  });
});
