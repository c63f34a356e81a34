import { describe, expect, it } from 'vitest';
import type { MastodonStatus } from '../../src/core/mastodon';
import { until } from '../fake-mastodon/sse-client';
import { TOKEN, fake, openStream } from './helpers/fake-server';

const auth = { Authorization: `Bearer ${TOKEN}` };

/** Publishes `n` posts to one open stream with half of the events dropped; says which arrived. */
async function run(seed: number, n: number) {
  const f = await fake({ seed, heartbeatMs: 50 });
  f.setFault({ dropStreamEventsPercent: 50 });
  const s = await openStream(`${f.streamingUrl}/api/v1/streaming/public`);
  await until(() => f.stats.openStreams === 1, 'the stream');
  const published = [...Array(n)].map(() => f.publish());
  const gone = published[0]!;
  f.deleteStatus(gone.id);
  const written = f.stats.streamEvents;
  await until(() => s.events.length === written, 'the delivered events');
  // Heartbeats go on after the drops: the client cannot tell anything is missing.
  const beats = s.comments.filter((c) => c === 'thump').length;
  await until(() => s.comments.filter((c) => c === 'thump').length > beats, 'a heartbeat after the drops', 5000);
  const delivered = new Set(s.events.filter((e) => e.event === 'update').map((e) => (JSON.parse(e.data) as MastodonStatus).id));
  return { f, s, published, gone, delivered, pattern: published.map((p) => (delivered.has(p.id) ? 1 : 0)).join('') };
}

describe('fault mode: stream events dropped silently', () => {
  it('drops about the share asked, from the seed, keeps deletes and keeps every status in the REST timeline', async () => {
    const n = 400;
    const { f, s, published, gone, delivered, pattern } = await run(41, n);
    expect(f.stats.streamEvents + f.stats.streamEventsDropped).toBe(n + 1);
    expect(s.events.filter((e) => e.event === 'delete').map((e) => e.data)).toEqual([gone.id]);
    expect(f.stats.streamEventsDropped).toBe(n - delivered.size);
    // Binomial(400, 0.5): sd 10, so 200 ± 60 is six standard deviations (and the seed fixes it anyway).
    expect(delivered.size).toBeGreaterThan(140);
    expect(delivered.size).toBeLessThan(260);

    // Every dropped status is still in the public timeline, as on the real server.
    const timeline = new Set<string>();
    for (let maxId = ''; ; ) {
      const res = await fetch(`${f.webUrl}/api/v1/timelines/public?limit=40${maxId ? `&max_id=${maxId}` : ''}`, { headers: auth });
      const page = (await res.json()) as MastodonStatus[];
      if (!page.length) break;
      for (const st of page) timeline.add(st.id);
      maxId = page.at(-1)!.id;
    }
    const dropped = published.slice(1).filter((p) => !delivered.has(p.id));
    expect(dropped.length).toBeGreaterThan(0);
    for (const p of dropped) expect(timeline.has(p.id)).toBe(true);

    // The same seed drops the same events; another seed others; 0 ends the mode.
    expect((await run(41, n)).pattern).toBe(pattern);
    expect((await run(42, n)).pattern).not.toBe(pattern);
    f.setFault({ dropStreamEventsPercent: 0 });
    const before = s.events.length;
    for (let i = 0; i < 20; i++) f.publish();
    await until(() => s.events.length === before + 20, 'every event once the mode is off');
    expect(() => f.setFault({ dropStreamEventsPercent: 150 })).toThrow(/within 0–100/);
  });
});
