import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeMastodon } from '../fake-mastodon';
import type { MastodonStatus } from '../../src/core/mastodon';
import { nativeQuery } from '../unit/helpers/native-duckdb';
import { useHarness } from './support/harness';
import { openApp, row, setToken, tootsCollected, waitForCount, waitForRowState } from './support/app-page';

/**
 * Issue 2's proof: two fake instances sharing some posts, one anonymous (REST polling), one
 * with a token (SSE); the count equals the ground truth; a reload keeps it; the exported Parquet,
 * read back with native DuckDB, holds exactly the ground-truth posts once each.
 */
describe('core loop: collect, dedup, reload, export', () => {
  const h = useHarness({
    fakes: {
      alpha: { domain: 'alpha.test', liveFeeds: 'public', cacheSeconds: 1, seed: 11 },
      beta: { domain: 'beta.test', liveFeeds: 'authenticated', tokens: ['beta-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 22 },
    },
    prefix: '/tootscope/',
  });
  let alpha: FakeMastodon;
  let beta: FakeMastodon;
  let page: Page;
  const deleted = new Set<string>();

  /** Every uri either server still shows, minus those deleted at the source. */
  function expectedUris(): Set<string> {
    const uris = new Set<string>();
    for (const f of [alpha, beta]) for (const s of f.groundTruth().published) uris.add(s.uri);
    for (const u of deleted) uris.delete(u);
    return uris;
  }

  function share(s: MastodonStatus): MastodonStatus {
    return beta.publishFrom(s);
  }

  beforeAll(() => {
    ({ alpha, beta } = h.fakes);
  });

  it('collects from both instances, deduplicated, and shows each row', async () => {
    // History that exists before the page opens: each source starts from the newest page.
    for (let i = 0; i < 20; i++) alpha.publish();
    for (let i = 0; i < 8; i++) share(alpha.publish());
    for (let i = 0; i < 6; i++) beta.publish();

    page = await openApp(h.context, `${h.url}?instances=${alpha.webUrl},${beta.webUrl}`);
    const aHost = new URL(alpha.webUrl).host;
    const bHost = new URL(beta.webUrl).host;
    await expect.poll(() => row(page, aHost).count()).toBe(1);
    expect(await row(page, aHost).locator('.host').textContent()).toBe(aHost);
    await waitForRowState(page, aHost, /^polling/);
    // Anonymous reading is refused on beta: the row says so with the server's reason.
    const needs = await waitForRowState(page, bHost, /needs sign-in/);
    expect(needs).toContain('This method requires an authenticated user');

    await setToken(page, bHost, 'beta-token');
    await waitForRowState(page, bHost, /^streaming/);
    await waitForCount(page, expectedUris().size);

    // Live traffic: new posts on both, shared posts, an edit, deletes, a malformed event.
    for (let i = 0; i < 15; i++) alpha.publish();
    for (let i = 0; i < 15; i++) beta.publish();
    const shared = [...Array(6)].map(() => share(alpha.publish()));
    const edited = beta.publish();
    beta.edit(edited.id, { content: '<p>edited text</p>' });
    const gone = shared[0]!;
    alpha.deleteStatus(alpha.groundTruth().published.find((s) => s.uri === gone.uri)!.id);
    beta.deleteStatus(gone.id);
    deleted.add(gone.uri);
    beta.sendRaw('event: update\ndata: {"this is": not json\n\n');
    beta.publish();
    await waitForCount(page, expectedUris().size);
    await waitForRowState(page, bHost, /^streaming/);
    expect(await row(page, bHost).locator('.warnings').textContent()).toContain('malformed');
  });

  it('keeps every toot across a reload', async () => {
    const before = await tootsCollected(page);
    await page.reload();
    await waitForCount(page, before);
    expect(before).toBe(expectedUris().size);
    // The token survived the reload (it lives in IndexedDB, never in the URL).
    const bHost = new URL(beta.webUrl).host;
    await waitForRowState(page, bHost, /^streaming/);
    expect(await page.evaluate(() => location.href)).not.toContain('beta-token');
  });

  it('exports Parquet that native DuckDB reads as exactly the ground truth', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Export Parquet' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.parquet$/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-export-')), download.suggestedFilename());
    await download.saveAs(file);
    const rows = await nativeQuery<{ uri: string; n: string; ok: boolean; base: string; seen: string }>(
      `SELECT uri, count(*) OVER (PARTITION BY uri) AS n, m_id::VARCHAR = id AS ok, base_url AS base, seen_on::VARCHAR AS seen
       FROM read_parquet('${file}')`,
    );
    const expected = expectedUris();
    expect(new Set(rows.map((r) => r.uri))).toEqual(expected);
    expect(rows).toHaveLength(expected.size);
    expect(rows.every((r) => r.n === '1' && r.ok)).toBe(true);
    expect(rows.every((r) => !r.base.endsWith('/'))).toBe(true);
    const edited = await nativeQuery<{ t: string }>(`SELECT mastodon_text AS t FROM read_parquet('${file}') WHERE mastodon_text = 'edited text'`);
    expect(edited).toHaveLength(1);
    const both = rows.filter((r) => r.seen.includes(alpha.webUrl) && r.seen.includes(beta.webUrl));
    expect(both.length).toBeGreaterThanOrEqual(13);
  });
});
