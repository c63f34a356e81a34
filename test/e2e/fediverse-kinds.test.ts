import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, row, setToken, waitForCount, waitForRowState } from './support/app-page';
import { queryViaConsole } from './support/page-sql';

/**
 * Issue 19: an Akkoma read anonymously over WebSocket (Akkoma streams public timelines to anyone)
 * and a GoToSocial, which streams only to a signed-in socket, with ids of their own kinds
 * (FlakeIds, ULIDs) that the page once skipped as malformed. The stored count equals their joint
 * ground truth, deduplicated by uri, deletes honoured; the ids are stored exactly.
 */
describe('Akkoma and GoToSocial, each as it really streams', () => {
  const h = useHarness({
    fakes: {
      akkoma: {
        domain: 'akkoma.test', cacheSeconds: 1, seed: 71, users: 20_000, ids: 'flake', wsFlavour: 'akkoma',
        software: { name: 'akkoma', version: '3.15.1' }, instanceVersion: '2.7.2 (compatible; Akkoma 3.15.1)',
      },
      gts: {
        domain: 'gts.test', cacheSeconds: 1, seed: 72, users: 20_000, ids: 'ulid', wsFlavour: 'gotosocial',
        tokens: ['g-token'], liveFeeds: 'authenticated', nodeInfoCors: true, software: { name: 'gotosocial', version: '0.19.1' }, instanceVersion: '0.19.1',
      },
    },
  });

  it('collects both, with their own ids, and counts the joint ground truth', async () => {
    const { akkoma, gts } = h.fakes;
    const aHost = new URL(akkoma.webUrl).host;
    const gHost = new URL(gts.webUrl).host;
    for (let i = 0; i < 5; i++) akkoma.publish();
    for (let i = 0; i < 5; i++) gts.publish();
    const page = await openApp(h.context, `${h.url}?instances=${akkoma.webUrl},${gts.webUrl}`);
    // No token on either: Akkoma streams anyway, GoToSocial asks for one.
    await waitForRowState(page, aHost, /^streaming/, 120_000);
    await waitForRowState(page, gHost, /needs sign-in/);
    await setToken(page, gHost, 'g-token');
    await waitForRowState(page, gHost, /^streaming/);

    const deleted = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const a = akkoma.publish();
      const g = gts.publish();
      if (i % 5 === 0) gts.publishFrom(a); // federated: one post, two copies, two ids of two kinds
      if (i % 10 === 3) {
        akkoma.deleteStatus(a.id);
        deleted.add(a.uri);
      }
      if (i % 10 === 7) {
        gts.deleteStatus(g.id);
        deleted.add(g.uri);
      }
    }
    const truth = new Set([...akkoma.groundTruth().published, ...gts.groundTruth().published].map((s) => s.uri));
    for (const u of deleted) truth.delete(u);
    await waitForCount(page, truth.size);

    // Akkoma's socket carried no token; GoToSocial's carried it as the subprotocol, never in the URL.
    expect(akkoma.stats.webSocketsOpened).toBeGreaterThanOrEqual(1);
    expect(new Set(akkoma.stats.webSocketTokenVia)).toEqual(new Set(['none']));
    expect(new Set(gts.stats.webSocketTokenVia.filter((v) => v !== 'none'))).toEqual(new Set(['protocol']));
    await expect.poll(() => row(page, aHost).getByTestId('software').textContent()).toBe('Akkoma 3.15.1');
    await expect.poll(() => row(page, gHost).getByTestId('software').textContent()).toBe('GoToSocial 0.19.1');

    // Each row's ids are its server's, exact; `m_id` holds no number for them.
    for (const [fake, form] of [[gts, '^[0-7][0-9A-HJKMNP-TV-Z]{25}$'], [akkoma, '^[0-9A-Za-z]{18}$']] as const) {
      const ids = new Set(fake.groundTruth().published.map((s) => s.id));
      const { rows } = await queryViaConsole(page, `SELECT id, CASE WHEN m_id IS NULL AND regexp_matches(id, '${form}') THEN 'kept' ELSE 'lost' END AS k FROM toots WHERE base_url = '${fake.webUrl}'`);
      expect(rows.length).toBeGreaterThan(20);
      for (const [id, k] of rows) {
        expect(ids.has(id!), `${id} is one of ${fake.domain}'s ids`).toBe(true);
        expect(k).toBe('kept');
      }
    }
  });
});
