import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MastodonStatus } from '../../src/core/mastodon';
import { hashtagsInContent } from '../../src/core/demo/content';
import { StatusGenerator } from '../../src/core/demo/generator';
import { Rng, ZipfSampler } from '../../src/core/demo/random';
import { SnowflakeClock, compareIds, snowflakeId, snowflakeTime } from '../../src/core/demo/snowflake';
import { demoEventTimeline } from '../../src/core/demo/stream';
import { LANGUAGES } from '../../src/core/demo/vocabulary';
import { INSTANCES } from '../../src/core/demo/instances';
import { FIXTURES } from './helpers/fixtures';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const remoteFixture = fixture('01_stream_public_update_remote_mstdnjp.json');
const localFixture = fixture('03_stream_hashtag_local_update_local_trwnh_app.json');
/** Keys the streaming layer adds to a status (PROTOCOL.md); the entity itself does not have them. */
const STREAM_ONLY = new Set(['filter_results', 'filtered']);

const START = Date.UTC(2026, 0, 5, 0, 0, 0);
const make = (seed: number | string = 42) =>
  new StatusGenerator({ seed, collectedFrom: 'https://mastodon.social', startTime: START });

function sample(n: number, seed: number | string = 42): MastodonStatus[] {
  const gen = make(seed);
  const out: MastodonStatus[] = [];
  for (let i = 0; i < n; i++) out.push(gen.next(START + i * 50));
  return out;
}

const text = (html: string) => html.replace(/<[^>]*>/g, '');
const isLocal = (s: MastodonStatus) => !s.account.acct.includes('@');

// One large sample shared by the distribution checks keeps the file fast. Built lazily.
// (Throughput, ≥ 50k statuses/s, is a figure of `npm run bench:sketch`, not a test: a busy
// machine would fail it without any defect.)
const N = 40_000;
let cached: MastodonStatus[] | undefined;
const all = () => (cached ??= sample(N));

describe('StatusGenerator shape', () => {
  it('has the key sets (and order) of the fixtures: remote like 01, local like 03', () => {
    const remote = all().find((s) => !isLocal(s))!;
    const local = all().find(isLocal)!;
    expect(Object.keys(remote)).toEqual(Object.keys(remoteFixture).filter((k) => !STREAM_ONLY.has(k)));
    expect(Object.keys(local)).toEqual(Object.keys(localFixture).filter((k) => !STREAM_ONLY.has(k)));
    expect(Object.keys(remote.account)).toEqual(Object.keys(remoteFixture.account as object));
    expect(Object.keys(local.account)).toEqual(Object.keys(localFixture.account as object));
  });

  it('writes uri, url, acct and ids the way Mastodon does', () => {
    for (const s of all().slice(0, 2000)) {
      const m = /^https:\/\/([^/]+)\/users\/([A-Za-z0-9_]+)\/statuses\/(\d+)$/.exec(s.uri);
      expect(m, s.uri).not.toBeNull();
      const [, host, name, originId] = m!;
      expect(s.url).toBe(`https://${host}/@${name}/${originId}`);
      expect(s.account.url).toBe(`https://${host}/@${name}`);
      expect(s.account.username).toBe(name);
      if (host === 'mastodon.social') {
        expect(s.account.acct).toBe(name);
        expect(originId).toBe(s.id); // a local post's uri carries its own id
        expect(s.created_at).toBe(new Date(snowflakeTime(s.id)).toISOString());
      } else {
        expect(s.account.acct).toBe(`${name}@${host}`);
        expect(s.created_at).toMatch(/\.000Z$/); // remote times arrive at second precision
        expect(Date.parse(s.created_at)).toBeLessThanOrEqual(snowflakeTime(s.id));
      }
      expect(s.id).toMatch(/^\d{17,19}$/);
      expect(s.visibility).toBe('public');
      expect(s.reblog).toBeNull();
      expect(s.content.startsWith('<p>') && s.content.endsWith('</p>')).toBe(true);
    }
  });

  it('survives a JSON round trip unchanged (no undefined, no BigInt)', () => {
    for (const s of all().slice(0, 500)) expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('escapes text like Mastodon: entities, never raw quotes or angle brackets in text', () => {
    let entities = 0;
    for (const s of all().slice(0, 5000)) {
      const t = text(s.content);
      expect(t).not.toMatch(/[<>"']/);
      expect(t.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      if (/&(amp|lt|quot|#39);/.test(t)) entities++;
    }
    expect(entities).toBeGreaterThan(10);
  });

  it('uses Mastodon link markup for hashtags, mentions and URLs', () => {
    const html = all().slice(0, 5000).map((s) => s.content).join('\n');
    expect(html).toMatch(/<a href="https:\/\/mastodon\.social\/tags\/[^"]+" class="mention hashtag" rel="tag">#<span>[^<]+<\/span><\/a>/);
    expect(html).toMatch(/<span class="h-card"><a href="https:\/\/[^"]+\/@[^"]+" class="u-url mention">@<span>[^<]+<\/span><\/a><\/span>/);
    expect(html).toMatch(/<span class="invisible">https:\/\/(www\.)?<\/span><span class="(ellipsis)?">/);
    expect(html).toContain('<br />');
    expect(html).toContain('</p><p>');
  });
});

describe('StatusGenerator determinism', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = sample(1500, 7);
    const b = sample(1500, 7);
    const c = sample(1500, 8);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('keeps a user the same across posts (bot flag, account id, server)', () => {
    const byAcct = new Map<string, MastodonStatus['account']>();
    const changed: string[] = [];
    for (const s of all()) {
      const seen = byAcct.get(s.account.acct);
      if (!seen) byAcct.set(s.account.acct, s.account);
      else if (s.account.bot !== seen.bot || s.account.id !== seen.id || s.account.created_at !== seen.created_at) {
        changed.push(s.account.acct);
      }
    }
    expect(changed).toEqual([]);
    expect(byAcct.size).toBeLessThan(all().length * 0.75); // busy users do post repeatedly
  });
});

describe('StatusGenerator distributions', () => {
  it('has ids strictly increasing (numerically, via BigInt)', () => {
    const list = all();
    const bad = list.filter((s, i) => i > 0 && !(BigInt(s.id) > BigInt(list[i - 1]!.id)));
    expect(bad).toEqual([]);
  });

  it('has ~5% bot accounts, stable per user', () => {
    const users = new Map<string, boolean>();
    let botPosts = 0;
    for (const s of all()) {
      users.set(s.account.acct, s.account.bot);
      if (s.account.bot) botPosts++;
    }
    const bots = [...users.values()].filter(Boolean).length / users.size;
    expect(bots).toBeGreaterThan(0.035);
    expect(bots).toBeLessThan(0.065);
    expect(botPosts / N).toBeGreaterThan(0.02);
    expect(botPosts / N).toBeLessThan(0.1);
    expect(users.size).toBeGreaterThan(10_000); // zipf over 150k users: a long tail of one-post accounts
  });

  it('has ~5% null language and dozens of languages', () => {
    const langs = new Map<string | null, number>();
    for (const s of all()) langs.set(s.language, (langs.get(s.language) ?? 0) + 1);
    const nullShare = (langs.get(null) ?? 0) / N;
    expect(nullShare).toBeGreaterThan(0.035);
    expect(nullShare).toBeLessThan(0.065);
    expect(langs.size).toBeGreaterThan(40);
    const top = [...langs.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(top).toBe('en');
    expect(LANGUAGES.length).toBeGreaterThanOrEqual(60);
  });

  it('sets application only on local posts, and on all of them', () => {
    let local = 0;
    const wrong: string[] = [];
    for (const s of all()) {
      if (isLocal(s)) local++;
      if (isLocal(s) ? !s.application?.name : 'application' in s) wrong.push(s.uri);
    }
    expect(wrong).toEqual([]);
    expect(local / N).toBeGreaterThan(0.08);
    expect(local / N).toBeLessThan(0.4);
  });

  it('spreads posts over many instances, mastodon.social first', () => {
    const hosts = new Map<string, number>();
    for (const s of all()) {
      const h = new URL(s.uri).host;
      hosts.set(h, (hosts.get(h) ?? 0) + 1);
    }
    expect(hosts.size).toBeGreaterThan(200);
    expect([...hosts.entries()].sort((a, b) => b[1] - a[1])[0]![0]).toBe('mastodon.social');
    expect(INSTANCES.length).toBe(300);
    expect(new Set(INSTANCES.map((i) => i.host)).size).toBe(300);
  });

  it('lists as tags exactly the hashtags in the content', () => {
    let tagged = 0;
    const wrong: string[] = [];
    for (const s of all()) {
      const inContent = new Set(hashtagsInContent(s.content).map((t) => t.toLowerCase()));
      const tags = s.tags.map((t) => t.name.toLowerCase());
      const subset = tags.every((t) => inContent.has(t));
      const sameSize = new Set(tags).size === inContent.size;
      const urls = s.tags.every((t) => t.url === `https://mastodon.social/tags/${encodeURIComponent(t.name)}`);
      if (!subset || !sameSize || !urls) wrong.push(s.id);
      if (tags.length) tagged++;
    }
    expect(wrong).toEqual([]);
    expect(tagged / N).toBeGreaterThan(0.2);
    expect(tagged / N).toBeLessThan(0.45);
  });

  it('is mostly short with a rare heavy tail up to ~70 000 characters', () => {
    const lengths = all().map((s) => [...text(s.content)].length).sort((a, b) => a - b);
    const median = lengths[Math.floor(N / 2)]!;
    expect(median).toBeGreaterThan(40);
    expect(median).toBeLessThan(250);
    expect(lengths[N - 1]!).toBeGreaterThan(5000);
    expect(lengths[N - 1]!).toBeLessThan(72_000);
    expect(lengths.filter((l) => l > 5000).length / N).toBeLessThan(0.01);
    expect(all().filter((s) => isLocal(s) && text(s.content).length >= 700)).toEqual([]);
  });

  it('mentions carry the entity fields and self-replies point at the author', () => {
    const withMentions = all().filter((s) => s.mentions.length > 0);
    expect(withMentions.length / N).toBeGreaterThan(0.05);
    const m = withMentions[0]!.mentions[0] as Record<string, string>;
    expect(Object.keys(m).sort()).toEqual(['acct', 'id', 'url', 'username']);
    const replies = all().filter((s) => s.in_reply_to_id);
    expect(replies.length).toBeGreaterThan(50);
    for (const r of replies) expect(r.in_reply_to_account_id).toBe(r.account.id);
  });

  it('follows a daily cycle when it runs on its own clock', () => {
    const gen = new StatusGenerator({ seed: 3, collectedFrom: 'https://mastodon.social', startTime: START, ratePerSecond: 0.15, users: 5000 });
    const perHour = new Array(24).fill(0) as number[];
    while (gen.now < START + 3 * 86_400_000) perHour[new Date(gen.next().created_at).getUTCHours()]!++;
    const max = Math.max(...perHour);
    const min = Math.min(...perHour);
    expect(max / min).toBeGreaterThan(1.8);
    expect(perHour.indexOf(max)).toBeGreaterThanOrEqual(14);
    expect(perHour.indexOf(max)).toBeLessThanOrEqual(20);
  });

});

describe('edits and deletes', () => {
  it('edit keeps identity, sets edited_at and new content', () => {
    const gen = make(5);
    for (let i = 0; i < 100; i++) gen.next(START + i * 1000);
    const original = gen.pickForEdit()!;
    const copy = JSON.stringify(original);
    const edited = gen.edit(original, START + 200_000);
    expect(JSON.stringify(original)).toBe(copy); // the input is not mutated
    for (const k of ['id', 'uri', 'url', 'created_at', 'account'] as const) expect(edited[k]).toEqual(original[k]);
    expect(edited.edited_at).not.toBeNull();
    expect(Date.parse(edited.edited_at!)).toBeGreaterThan(Date.parse(edited.created_at));
    expect(edited.content).not.toBe(original.content);
    expect(Object.keys(edited)).toEqual(Object.keys(original));
    const inContent = hashtagsInContent(edited.content).map((t) => t.toLowerCase());
    for (const t of edited.tags) expect(inContent).toContain(t.name.toLowerCase());
    expect(gen.pickForEdit()).toBeDefined();
  });

  it('picks existing ids to delete, each once', () => {
    const gen = make(6);
    const ids = new Set<string>();
    for (let i = 0; i < 300; i++) ids.add(gen.next(START + i * 10).id);
    const deleted = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const id = gen.pickIdToDelete()!;
      expect(ids.has(id)).toBe(true);
      expect(deleted.has(id)).toBe(false);
      deleted.add(id);
    }
  });

  it('can force local or remote authors', () => {
    const gen = make(8);
    for (let i = 0; i < 50; i++) {
      expect(isLocal(gen.next(START + i, { local: true }))).toBe(true);
      expect(isLocal(gen.next(START + i, { local: false }))).toBe(false);
    }
  });
});

describe('demoEventTimeline', () => {
  it('emits updates with ~1% deletes and ~0.5% edits, sometimes a delete before its update', () => {
    const gen = make(11);
    const counts = { update: 0, delete: 0, 'status.update': 0 };
    const seen = new Set<string>();
    let early = 0;
    const pendingDeletes = new Set<string>();
    let last = -Infinity;
    const problems: string[] = [];
    for (const ev of demoEventTimeline(gen, { count: 15_000, startTime: START, ratePerSecond: 50, seed: 2 })) {
      counts[ev.event]++;
      if (ev.at < last) problems.push(`time went back at ${ev.at}`);
      last = ev.at;
      if (ev.event === 'delete') {
        if (!/^\d+$/.test(ev.data)) problems.push(`delete data ${ev.data}`);
        if (!seen.has(ev.data)) pendingDeletes.add(ev.data);
        continue;
      }
      if (ev.data.includes('\n')) problems.push('multi-line data'); // must be one SSE data line
      const s = JSON.parse(ev.data) as MastodonStatus;
      if (!Array.isArray(s.filtered) || s.filtered.length) problems.push(`filtered on ${s.id}`);
      if (ev.event === 'update') {
        if (pendingDeletes.has(s.id)) early++;
        seen.add(s.id);
      } else if (!seen.has(s.id) || !s.edited_at) problems.push(`bad edit ${s.id}`);
    }
    expect(problems).toEqual([]);
    expect(counts.delete / 15_000).toBeGreaterThan(0.006);
    expect(counts.delete / 15_000).toBeLessThan(0.015);
    expect(counts['status.update'] / 15_000).toBeGreaterThan(0.002);
    expect(counts['status.update'] / 15_000).toBeLessThan(0.009);
    expect(early).toBeGreaterThan(3);
  });
});

describe('random and snowflake helpers', () => {
  it('snowflake ids equal (ms << 16) | seq and round-trip', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(2016, 0, 1) + rng.int(20 * 365 * 86_400_000);
      const seq = rng.int(65536);
      const id = snowflakeId(ms, seq);
      expect(id).toBe(((BigInt(ms) << 16n) | BigInt(seq)).toString());
      expect(snowflakeTime(id)).toBe(ms);
    }
    expect(snowflakeTime('108914354907984653')).toBe(Number(108914354907984653n >> 16n));
    expect(compareIds('99', '100')).toBeLessThan(0);
    expect(compareIds('108914354907984653', '108914354891945610')).toBeGreaterThan(0);
  });

  it('the clock never repeats or goes back', () => {
    const clock = new SnowflakeClock(3);
    let prev = clock.next(1000);
    for (const t of [1000, 1000, 999, 5000, 4000, 5000]) {
      const id = clock.next(t);
      expect(BigInt(id) > BigInt(prev)).toBe(true);
      prev = id;
    }
  });

  it('zipf sampling favours low ranks in the right proportion', () => {
    const z = new ZipfSampler(1000, 1);
    const rng = new Rng('zipf');
    const hits = new Array(1000).fill(0) as number[];
    for (let i = 0; i < 100_000; i++) hits[z.sample(rng)]!++;
    expect(hits[0]! / hits[1]!).toBeGreaterThan(1.7);
    expect(hits[0]! / hits[1]!).toBeLessThan(2.3);
    expect(Math.abs(hits[0]! / 100_000 - z.probability(0))).toBeLessThan(0.01);
  });
});

describe('the in-browser demo', () => {
  it('names every server under .demo.invalid, so no demo row passes for a real instance', async () => {
    const { DemoSource, DEMO_BASE_URL } = await import('../../src/sources/demo-source');
    const { normalizeStatus } = await import('../../src/core/normalize');
    const src = new DemoSource({ onEvent: () => undefined, onState: () => undefined, onWarning: () => undefined }, 20, 7);
    expect(DEMO_BASE_URL).toBe('https://mastodon.social.demo.invalid');
    const demo = /^https:\/\/[a-z0-9.-]+\.demo\.invalid\//;
    const hosts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const s = src.gen.next(START + i * 50);
      const row = normalizeStatus(s, DEMO_BASE_URL, 'demo', START + i * 50 + 10);
      expect(row.base_url).toBe(DEMO_BASE_URL);
      expect(row.from_instance.endsWith('.demo.invalid'), row.from_instance).toBe(true);
      expect(row.seen_on).toEqual([DEMO_BASE_URL]);
      expect(row.source).toBe('demo');
      for (const u of [s.uri, s.url, s.account.url, s.account.avatar, ...[...s.mentions, ...s.media_attachments].map((m) => (m as { url: string }).url)]) {
        expect(String(u), String(u)).toMatch(demo);
      }
      if (s.account.acct.includes('@')) expect(s.account.acct).toMatch(/@[a-z0-9.-]+\.demo\.invalid$/);
      hosts.set(row.from_instance, (hosts.get(row.from_instance) ?? 0) + 1);
    }
    // The same spread as a real big instance's feed, its own users first.
    expect([...hosts.entries()].sort((a, b) => b[1] - a[1])[0]![0]).toBe('mastodon.social.demo.invalid');
    expect(hosts.size).toBeGreaterThan(100);
  });

  it('leaves a fake server named as itself, its remote authors on their usual hosts', () => {
    const gen = new StatusGenerator({ seed: 5, collectedFrom: 'https://alpha.test', startTime: START });
    const hosts = new Set(Array.from({ length: 2000 }, (_, i) => new URL(gen.next(START + i * 50).uri).host));
    expect(hosts.has('alpha.test')).toBe(true);
    expect(hosts.has('mastodon.social')).toBe(true);
    expect([...hosts].some((h) => h.includes('.invalid'))).toBe(false);
  });
});
