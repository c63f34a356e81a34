import { readFileSync } from 'node:fs';
import type { Download, Locator, Page } from 'playwright-core';
import type { FakeMastodon } from '../../fake-mastodon';
import type { MastodonStatus } from '../../../src/core/mastodon';

/** One post whose every analysed field is chosen by the test. */
export interface PostSpec {
  /** ISO time (UTC) the post claims as `created_at`. */
  at: string;
  user: string;
  bot?: boolean;
  /** null = untagged (stored as `unknown`). */
  lang: string | null;
  app?: string | null;
  /** Plain text; it becomes `<p>text</p>`, so `characters` is its length. */
  text: string;
  tags?: string[];
}

const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * Publishes a post by a local user of `fake` (so its url, and `from_instance`, is the fake's domain)
 * with the fields of `spec`; everything the charts count is overridden, nothing is left to the generator.
 */
export function publishPost(fake: FakeMastodon, spec: PostSpec): MastodonStatus {
  const host = fake.domain;
  const account: MastodonStatus['account'] = {
    id: String(1000 + [...spec.user].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 9_000_000),
    username: spec.user,
    acct: spec.user,
    url: `https://${host}/@${spec.user}`,
    display_name: spec.user,
    bot: spec.bot === true,
    created_at: '2024-01-01T00:00:00.000Z',
    followers_count: 10,
  };
  return fake.publish(
    {
      created_at: new Date(spec.at).toISOString(),
      language: spec.lang,
      account,
      application: spec.app ? { name: spec.app, website: null } : null,
      content: `<p>${escapeHtml(spec.text)}</p>`,
      spoiler_text: '',
      sensitive: false,
      tags: (spec.tags ?? []).map((name) => ({ name, url: `https://${host}/tags/${encodeURIComponent(name)}` })),
      mentions: [],
      media_attachments: [],
      poll: null,
      card: null,
      in_reply_to_id: null,
      edited_at: null,
    },
    { local: true },
  );
}

/** A chart's card, by its title (the `<article>` is labelled by its heading). */
export function card(page: Page, title: string): Locator {
  return page.getByRole('article', { name: title, exact: true });
}

/** The card's drawing (switching back from the table when needed). */
export async function chartSvg(c: Locator): Promise<Locator> {
  const toggle = c.getByRole('button', { name: /^Show as (table|chart)$/ });
  if ((await toggle.getAttribute('aria-pressed')) === 'true') await toggle.click();
  const svg = c.locator('svg.chart');
  await svg.waitFor();
  return svg;
}

/** Switches the card to its table view. */
export async function showTable(c: Locator): Promise<void> {
  const toggle = c.getByRole('button', { name: /^Show as (table|chart)$/ });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await c.locator('table').waitFor();
}

/** The card's table as text: the column labels, and each row's cells (the "Filter" button column left out). */
export async function readTable(c: Locator): Promise<{ columns: string[]; rows: string[][] }> {
  await showTable(c);
  return c.locator('table').evaluate((table) => {
    const heads = [...table.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
    const keep = heads.map((h) => h !== 'Filter');
    const rows = [...table.querySelectorAll('tbody tr')]
      .map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()))
      .filter((cells) => !(cells.length === 1 && cells[0] === 'No data yet'))
      .map((cells) => cells.filter((_, i) => keep[i]));
    return { columns: heads.filter((_, i) => keep[i]), rows };
  });
}

/** Clicks and waits for the download it starts; returns the file's bytes and its suggested name. */
export async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), click()]) as [Download, void];
  const file = await d.path();
  if (!file) throw new Error(`download ${d.suggestedFilename()} failed: ${await d.failure()}`);
  return { name: d.suggestedFilename(), bytes: readFileSync(file) };
}

/** The active filter chips' texts. */
export async function chips(page: Page): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Active filters' });
  if (!(await list.count())) return [];
  return (await list.locator('li > span').allTextContents()).map((s) => s.trim());
}

/** The page URL's query parameter, decoded, read from the page itself: Playwright's page.url()
 * learns of a history.replaceState asynchronously and can lag on a busy machine. */
export async function param(page: Page, name: string): Promise<string | null> {
  return new URL(await page.evaluate(() => location.href)).searchParams.get(name);
}
