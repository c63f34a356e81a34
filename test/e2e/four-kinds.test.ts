import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MastodonStatus } from '../../src/core/mastodon';
import { nativeQuery } from '../unit/helpers/native-duckdb';
import { noteFromStatus, startFakeMisskey, type FakeMisskey } from '../fake-mastodon/misskey';
import { useHarness } from './support/harness';
import { openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';

/**
 * Issue 19's joint test ("done when"): a Mastodon over SSE, a Mastodon over WebSocket, an Akkoma
 * read anonymously over its WebSocket and following two hashtags besides its public timeline, a
 * GoToSocial signed in, a Misskey read anonymously and a Sharkey read with a pasted token, all at
 * once, with posts that federate between them. The count equals their joint ground
 * truth by uri; deletes and edits are honoured where the server sends them (Misskey sends neither
 * on a timeline channel: see test/fake-mastodon/misskey.ts); the Parquet export, read by native
 * DuckDB, has every post once with the right `base_url`, `source` and `from_instance`.
 */
describe('six servers of four kinds at once', () => {
  const h = useHarness({
    fakes: {
      sse: { domain: 'sse.test', liveFeeds: 'authenticated', tokens: ['s-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 41, users: 20_000 },
      ws: { domain: 'ws.test', liveFeeds: 'authenticated', tokens: ['w-token'], cacheSeconds: 1, heartbeatMs: 1000, seed: 42, users: 20_000 },
      akkoma: {
        domain: 'akkoma.test', cacheSeconds: 1, seed: 43, users: 20_000, ids: 'flake', wsFlavour: 'akkoma',
        software: { name: 'akkoma', version: '3.15.1' }, instanceVersion: '2.7.2 (compatible; Akkoma 3.15.1)',
      },
      gts: {
        domain: 'gts.test', cacheSeconds: 1, seed: 44, users: 20_000, ids: 'ulid', wsFlavour: 'gotosocial',
        tokens: ['g-token'], liveFeeds: 'authenticated', nodeInfoCors: true, software: { name: 'gotosocial', version: '0.19.1' }, instanceVersion: '0.19.1',
      },
    },
  });
  let misskey: FakeMisskey;
  let sharkey: FakeMisskey;
  beforeAll(async () => {
    misskey = await startFakeMisskey({ version: '2025.4.0' });
    sharkey = await startFakeMisskey({ name: 'sharkey', version: '2025.4.3', policies: { gtlAvailable: false }, tokens: ['k-token'] });
  });
  afterAll(async () => {
    await misskey?.close();
    await sharkey?.close();
  });

  it('counts their joint ground truth, honours deletes and edits per kind, and exports each post once', async () => {
    const { sse, ws, akkoma, gts } = h.fakes;
    const host = (u: string) => new URL(u).host;
    const [sHost, wHost, aHost, gHost, mHost, kHost] = [sse.webUrl, ws.webUrl, akkoma.webUrl, gts.webUrl, misskey.url, sharkey.url].map(host) as [string, string, string, string, string, string];
    const tagged = (tag: string) => ({ tags: [{ name: tag, url: `https://akkoma.test/tags/${tag}` }] }) as Partial<MastodonStatus>;
    for (const f of [sse, ws, akkoma, gts]) for (let i = 0; i < 4; i++) f.publish();
    for (let i = 0; i < 4; i++) misskey.publish();
    for (let i = 0; i < 2; i++) sharkey.publish();

    // The Akkoma row follows two hashtags besides its public timeline, named in the link.
    const instances = [sse.webUrl, ws.webUrl, akkoma.webUrl, `${akkoma.webUrl}/tags/rust`, `${akkoma.webUrl}/tags/go`, gts.webUrl, misskey.url, sharkey.url];
    const page = await openApp(h.context, `${h.url}?instances=${instances.join(',')}`);
    await waitForRowState(page, aHost, /^streaming/, 120_000);
    await waitForRowState(page, mHost, /^streaming/);
    for (const hst of [sHost, wHost, gHost, kHost]) await waitForRowState(page, hst, /needs sign-in/);
    await setToken(page, sHost, 's-token');
    await setToken(page, wHost, 'w-token');
    await setToken(page, gHost, 'g-token');
    await setToken(page, kHost, 'k-token');
    for (const hst of [sHost, wHost, gHost, kHost]) await waitForRowState(page, hst, /^streaming/);
    const feedState = (channel: string) => row(page, aHost).locator(`li.feed[data-channel="${channel}"]`).getByTestId('feed-state').textContent();
    for (const c of ['public', '#rust', '#go']) await expect.poll(() => feedState(c)).toMatch(/^streaming/);
    // A signed-in Mastodon streams over SSE unless the person picks WebSocket.
    await row(page, wHost).getByLabel('Stream over').selectOption('ws');
    await expect.poll(() => ws.stats.webSocketsOpened).toBeGreaterThanOrEqual(1);
    await waitForRowState(page, wHost, /^streaming/);

    // Each row says what it is and how it connects.
    const connection = (hst: string) => row(page, hst).getByTestId('connection').textContent();
    expect(await connection(sHost)).toBe('· SSE, signed in');
    expect(await connection(wHost)).toBe('· WebSocket, signed in');
    expect(await connection(aHost)).toBe('· WebSocket, anonymous');
    expect(await connection(gHost)).toBe('· WebSocket, signed in');
    expect(await connection(mHost)).toBe('· WebSocket, anonymous');
    expect(await connection(kHost)).toBe('· WebSocket, signed in');
    await expect.poll(() => row(page, aHost).getByTestId('software').textContent()).toBe('Akkoma 3.15.1');
    await expect.poll(() => row(page, gHost).getByTestId('software').textContent()).toBe('GoToSocial 0.19.1');
    await expect.poll(() => row(page, mHost).getByTestId('software').textContent()).toBe('Misskey 2025.4.0');
    await expect.poll(() => row(page, kHost).getByTestId('software').textContent()).toBe('Sharkey 2025.4.3');

    // Live traffic on all five; posts federate between kinds; deletes and edits where servers send them.
    const deleted = new Set<string>();
    const edited: Array<{ fake: typeof sse; status: MastodonStatus; text: string }> = [];
    for (let i = 0; i < 24; i++) {
      const s = sse.publish();
      const w = ws.publish();
      const a = akkoma.publish(i % 3 === 0 ? tagged('rust') : i % 3 === 1 ? tagged('go') : {});
      const g = gts.publish();
      if (i % 8 === 2) gts.publishFrom(a); // an Akkoma post on the GoToSocial too
      misskey.publish();
      if (i % 3 === 0) sharkey.publish();
      const copy = i % 4 === 0 ? ws.publishFrom(a) : null; // an Akkoma post seen on a Mastodon too: one uri, two copies
      if (i % 6 === 1) misskey.publish(noteFromStatus(s)); // a Mastodon post federated to the Misskey
      if (i === 5) edited.push({ fake: sse, status: s, text: 'edited over SSE' });
      if (i === 7) edited.push({ fake: ws, status: w, text: 'edited over WebSocket' });
      if (i === 9) edited.push({ fake: akkoma, status: a, text: 'edited on Akkoma' });
      if (i === 15) edited.push({ fake: gts, status: g, text: 'edited on GoToSocial' });
      if (i === 17) {
        gts.deleteStatus(g.id);
        deleted.add(g.uri);
      }
      if (i === 11) {
        sse.deleteStatus(s.id);
        deleted.add(s.uri);
      }
      if (i === 13) {
        ws.deleteStatus(w.id);
        deleted.add(w.uri);
      }
      if (i === 12) {
        // Deleted at its origin, and (as the delete federates) on the server that had a copy.
        akkoma.deleteStatus(a.id);
        ws.deleteStatus(copy!.id);
        deleted.add(a.uri);
      }
    }
    for (const e of edited) e.fake.edit(e.status.id, { content: `<p>${e.text}</p>` });
    const misskeyUri = (srv: FakeMisskey) => (n: Record<string, unknown>) => (typeof n.uri === 'string' ? n.uri : `${srv.url}/notes/${String(n.id)}`);
    const truth = new Set([
      ...[sse, ws, akkoma, gts].flatMap((f) => f.groundTruth().published.map((s) => s.uri)),
      ...misskey.groundTruth().map(misskeyUri(misskey)),
      ...sharkey.groundTruth().map(misskeyUri(sharkey)),
    ]);
    for (const u of deleted) truth.delete(u);
    await waitForCount(page, truth.size);
    // The Akkoma row's hashtag feeds each counted what carried their tag: every #go post (none was
    // deleted); the #rust posts, one of which was deleted (counted if it was stored before its delete).
    const akkomaTagged = (tag: string) => akkoma.groundTruth().published.filter((st) => st.tags.some((t) => t.name === tag)).length;
    const feedCount = async (c: string) => Number(await row(page, aHost).locator(`li.feed[data-channel="${c}"]`).getByTestId('feed-collected').textContent());
    await expect.poll(() => feedCount('#go')).toBe(akkomaTagged('go'));
    // The row's count can be complete (the public feed brought every post) before the tag feed's
    // own copies are stored: wait for them too.
    await expect.poll(async () => { const n = await feedCount('#rust'); return n >= akkomaTagged('rust') && n <= akkomaTagged('rust') + 1; }).toBe(true);

    // Each went its own way: no WebSocket to the SSE row's server, and none of the sockets carried a token in its URL.
    expect(sse.stats.webSocketsOpened).toBe(0);
    expect(new Set(ws.stats.webSocketTokenVia.filter((v) => v !== 'none'))).toEqual(new Set(['protocol']));
    expect(new Set(akkoma.stats.webSocketTokenVia)).toEqual(new Set(['none']));
    expect(new Set(misskey.stats.tokenVia)).toEqual(new Set(['none']));

    // A wait on the file, not a timing: with six servers streaming on a loaded CI machine the
    // export took longer than Playwright's default 30 s once. A failed export says why.
    const exported = page.waitForEvent('download', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Export Parquet' }).click();
    const download = await exported.catch(async (err: Error) => {
      throw new Error(`${err.message}; the export section said: ${await page.locator('section.export').innerText()}`);
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tootscope-four-')), download.suggestedFilename());
    await download.saveAs(file);
    const rows = await nativeQuery<{ uri: string; base: string; source: string; from: string; text: string }>(
      `SELECT uri, base_url AS base, source, from_instance AS "from", mastodon_text AS text FROM read_parquet('${file}')`,
    );
    expect(rows).toHaveLength(truth.size);
    expect(new Set(rows.map((r) => r.uri))).toEqual(truth);
    for (const r of rows) {
      // Where the post was written, whichever server it was read from.
      expect(r.from, r.uri).toBe(new URL(r.uri).host);
      expect(['stream', 'backfill', 'poll'], `${r.uri} came as ${r.source}`).toContain(r.source);
    }
    // Every server's rows are stored under it (a federated post under whichever server delivered it first).
    const from = (base: string) => rows.filter((r) => r.base === base).length;
    expect(from(misskey.url)).toBeGreaterThan(20);
    expect(rows.filter((r) => r.base === sharkey.url && r.uri.startsWith(`${sharkey.url}/notes/`))).toHaveLength(sharkey.groundTruth().length);
    for (const f of [sse, ws, akkoma, gts]) expect(from(f.webUrl), f.domain).toBeGreaterThan(15);
    expect(new Set(rows.map((r) => r.base))).toEqual(new Set([sse.webUrl, ws.webUrl, akkoma.webUrl, gts.webUrl, misskey.url, sharkey.url]));
    for (const e of edited) expect(rows.find((r) => r.uri === e.status.uri)?.text, e.text).toBe(e.text);
    // Each server's software, in the file's own metadata, joined to its toots as a reader would (docs/SCHEMA.md).
    const bySoftware = await nativeQuery<{ base: string; software: string; n: number }>(
      `WITH i AS (SELECT unnest(from_json(decode(value), '[{"base_url":"VARCHAR","software":"VARCHAR","version":"VARCHAR"}]'), recursive := true)
                  FROM parquet_kv_metadata('${file}') WHERE decode(key) = 'tootscope.instances')
       SELECT base_url AS base, software, count(*)::INTEGER AS n FROM read_parquet('${file}') JOIN i USING (base_url) GROUP BY ALL`,
    );
    expect(Object.fromEntries(bySoftware.map((r) => [r.base, r.software]))).toEqual({
      [sse.webUrl]: 'mastodon', [ws.webUrl]: 'mastodon', [akkoma.webUrl]: 'akkoma', [gts.webUrl]: 'gotosocial', [misskey.url]: 'misskey', [sharkey.url]: 'sharkey',
    });
    expect(bySoftware.reduce((n, r) => n + r.n, 0), 'every toot joined to its server').toBe(truth.size);
  });
});
