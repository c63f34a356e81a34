import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness';
import { openApp, row, setToken, tootsCollected, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { card, readTable } from './support/charts-page';
import type { MastodonStatus } from '../../src/core/mastodon';

/**
 * Issue 19: one row follows several feeds of its instance: two hashtags named in the shared link
 * as Mastodon's own pages for them (`/tags/rust`, `/tags/go`), then its local timeline added on
 * the row and a hashtag unfollowed. Each feed counts the posts it brought; the row counts each
 * post once; the activity chart splits by feed.
 */
describe('feeds of one instance', () => {
  const h = useHarness({ fakes: { masto: { domain: 'tags.test', tokens: ['t-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 81, users: 20_000 } } });

  const feed = (page: Page, host: string, channel: string) => row(page, host).locator(`li.feed[data-channel="${channel}"]`);
  const feedCount = async (page: Page, host: string, channel: string) => Number(await feed(page, host, channel).getByTestId('feed-collected').textContent());

  it('counts each feed’s posts, each post once for the row, and draws the feeds apart', async () => {
    const { masto } = h.fakes;
    const host = new URL(masto.webUrl).host;
    const publish = (tags: string[], local: boolean) =>
      masto.publish({ tags: tags.map((name) => ({ name, url: `https://tags.test/tags/${name}` })) } as Partial<MastodonStatus>, { local });
    const all: MastodonStatus[] = [];
    const put = (tags: string[], local: boolean, n = 1) => {
      for (let i = 0; i < n; i++) all.push(publish(tags, local));
    };
    put(['rust'], true, 3);
    put(['Rust'], false, 2); // the tag's case does not matter
    put(['go'], true, 3);
    put(['rust', 'go'], false, 2);
    put(['rustacean'], true, 2);
    put([], true, 2);
    put([], false, 2);
    const tagged = (tag: string) => all.filter((s) => s.tags.some((t) => t.name.toLowerCase() === tag));
    const union = (...lists: MastodonStatus[][]) => new Set(lists.flat().map((s) => s.uri)).size;

    const page = await openApp(h.context, `${h.url}?instances=${masto.webUrl}/tags/rust,${masto.webUrl}/tags/go`);
    // One row for the instance, following both tags.
    const feeds = () => row(page, host).locator('li.feed').evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')));
    await expect.poll(feeds, { timeout: 120_000 }).toEqual(['#rust', '#go']);
    expect(await page.locator(`li.row[data-host="${host}"]`).count()).toBe(1);
    await waitForCount(page, union(tagged('rust'), tagged('go')), 120_000); // polled from the two tag timelines
    await expect.poll(() => feedCount(page, host, '#rust')).toBe(tagged('rust').length);
    expect(await feedCount(page, host, '#go')).toBe(tagged('go').length);
    expect(await row(page, host).getByTestId('collected').textContent()).toBe(String(union(tagged('rust'), tagged('go'))));

    await setToken(page, host, 't-token');
    await waitForRowState(page, host, /^streaming/);
    await expect.poll(() => feed(page, host, '#go').getByTestId('feed-state').textContent()).toMatch(/^streaming/);
    put(['rust'], true);
    put(['go'], false);
    put([], true);
    put(['go'], true); // published last: once in, the rest streamed before it is in too
    await waitForCount(page, union(tagged('rust'), tagged('go')));
    expect(await feedCount(page, host, '#rust')).toBe(tagged('rust').length);
    expect(await feedCount(page, host, '#go')).toBe(tagged('go').length);

    // The person adds the local timeline on the row, and stops following #go.
    await row(page, host).getByLabel('Add feed').selectOption('public/local');
    await row(page, host).getByRole('button', { name: 'Follow', exact: true }).click();
    await expect.poll(() => feed(page, host, 'public/local').getByTestId('feed-state').textContent(), { timeout: 60_000 }).toMatch(/^streaming/);
    const local = () => all.filter((s) => !s.account.acct.includes('@'));
    put([], true);
    put(['go'], true);
    put(['rust'], false);
    put([], false); // no feed of the row brings a remote untagged post
    put(['rust'], true);
    await expect.poll(() => feedCount(page, host, '#rust'), { timeout: 60_000 }).toBe(tagged('rust').length);
    await expect.poll(() => feedCount(page, host, 'public/local'), { timeout: 60_000 }).toBe(local().length);
    const followed = union(tagged('rust'), tagged('go'), local());
    await waitForCount(page, followed);
    await row(page, host).getByRole('button', { name: `Unfollow #go on ${host}` }).click();
    expect(await feeds()).toEqual(['#rust', 'public/local']);

    // A link that opens these feeds elsewhere, without the token.
    await page.getByRole('button', { name: 'Link to these sources' }).click();
    const link = await page.getByLabel('Link', { exact: true }).inputValue();
    expect(new URL(link).searchParams.get('instances')).toBe(`${masto.webUrl}/tags/rust,${masto.webUrl}/public/local`);
    expect(link).not.toContain('t-token');

    // The stored table agrees, and no post is stored twice.
    const { rows } = await queryViaConsole(page, "SELECT count(*) AS n, count(DISTINCT uri) AS u, count(*) FILTER (WHERE list_contains(hashtags, 'rust')) AS r FROM toots");
    expect(rows[0]!.map(Number)).toEqual([followed, followed, tagged('rust').length]);
    expect(await tootsCollected(page)).toBe(followed);

    // The activity chart by feed: a series per followed feed, each with the posts it would deliver.
    const activity = card(page, 'Activity over time by instance');
    await activity.locator('label').filter({ hasText: /^\s*By\b/ }).locator('select').selectOption('feed');
    await expect
      .poll(async () => {
        const t = await readTable(activity);
        const sums = new Map<string, number>();
        for (const [, series, toots] of t.rows) sums.set(series!, (sums.get(series!) ?? 0) + Number(toots));
        return Object.fromEntries(sums);
      }, { timeout: 60_000 })
      .toEqual({ [`${host} #rust`]: tagged('rust').length, [`${host} local`]: local().length });
    // Feeds overlap: stacking them would count a post twice, so the chart does not offer it.
    expect(await activity.getByRole('option', { name: /stacked area/ }).isDisabled()).toBe(true);

    // The next visit (without the link, which would add #go again) finds the row's feeds as left.
    await page.goto(h.url);
    await expect.poll(feeds, { timeout: 120_000 }).toEqual(['#rust', 'public/local']);
  });
});
