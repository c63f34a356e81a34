import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, setToken, tootsCollected, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import type { MastodonStatus } from '../../src/core/mastodon';

/**
 * Issue 19: a row that follows a hashtag (named in the shared link as Mastodon's own page for it,
 * `/tags/rust`) counts only the posts that carry it, polled and then streamed.
 */
describe('a hashtag channel', () => {
  const h = useHarness({ fakes: { masto: { domain: 'tags.test', tokens: ['t-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 81, users: 20_000 } } });

  it('counts only tagged posts', async () => {
    const { masto } = h.fakes;
    const host = new URL(masto.webUrl).host;
    const tag = (name: string) => ({ tags: [{ name, url: `https://tags.test/tags/${name}` }] }) as Partial<MastodonStatus>;
    const tagged: MastodonStatus[] = [];
    for (let i = 0; i < 4; i++) {
      tagged.push(masto.publish(tag('rust')));
      masto.publish(tag('go'));
      masto.publish({ tags: [] } as Partial<MastodonStatus>);
    }
    const page = await openApp(h.context, `${h.url}?instances=${masto.webUrl}/tags/rust`);
    await expect.poll(() => row(page, host).getByLabel('Hashtag').inputValue(), { timeout: 120_000 }).toBe('#rust');
    await waitForCount(page, tagged.length, 120_000); // polled from the tag timeline
    await setToken(page, host, 't-token');
    await waitForRowState(page, host, /^streaming/);
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) tagged.push(masto.publish(tag(i % 4 === 0 ? 'Rust' : 'rust')));
      masto.publish(tag('rustacean'));
      masto.publish({ tags: [] } as Partial<MastodonStatus>);
    }
    // Published after every untagged one: once it is in, any untagged post would be too.
    tagged.push(masto.publish(tag('rust')));
    await waitForCount(page, tagged.length);
    expect(await tootsCollected(page)).toBe(tagged.length);
    expect(await row(page, host).getByTestId('collected').textContent()).toBe(String(tagged.length));
    const { rows } = await queryViaConsole(page, `SELECT count(*) FILTER (WHERE list_contains(hashtags, 'rust')) AS t, count(*) AS n FROM toots`);
    expect(rows[0]!.map(Number)).toEqual([tagged.length, tagged.length]);
  });
});
