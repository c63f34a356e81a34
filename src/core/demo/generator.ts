/**
 * Realistic Mastodon statuses as a public stream of one instance (`collectedFrom`) would carry
 * them: zipf-distributed authors and servers, ~60 languages plus null, bots, hashtags, mentions,
 * links, media, a daily rhythm, and snowflake ids that increase with time. Pure TS so the same
 * generator feeds the in-browser demo, the fake server and the benchmarks.
 */

import type { MastodonStatus, MastodonTag } from '../mastodon';
import { buildContent, randomLink, type MentionTarget } from './content';
import { card, mediaAttachments, poll } from './attachments';
import { INSTANCES, type DemoInstance } from './instances';
import { Rng, WeightedPicker, WeightedSampler, ZipfSampler, hash32 } from './random';
import { SnowflakeClock, snowflakeId, snowflakeTime } from './snowflake';
import { UserPool, type UserProfile } from './users';
import { APPS, BOT_APPS, HASHTAGS, LANGUAGES, type DemoLanguage } from './vocabulary';

export interface StatusGeneratorOptions {
  seed: number | string;
  /** The instance whose public stream we pretend to read, e.g. `https://mastodon.social`. */
  collectedFrom: string;
  /** Distinct accounts in the population (default 150 000). */
  users?: number;
  /** Start of the generator's own clock, ms (default: now). Only used when `next()` gets no time. */
  startTime?: number;
  /** Mean statuses per second of the own clock, before the daily cycle (default 10). */
  ratePerSecond?: number;
  /**
   * Appended to every server name the generator uses (default none). The in-browser demo passes
   * `.demo.invalid` (`.invalid` is reserved, RFC 2606), so its made-up posts can never pass for
   * a real instance's in the charts or an export; a fake server passes its own name and none.
   */
  hostSuffix?: string;
}

export interface NextOptions {
  /** Force an author from (true) or not from (false) the collecting instance. */
  local?: boolean;
}

const DAY = 86_400_000;
const RECENT_IDS = 4096;
const RECENT_STATUSES = 256;
const MAX_CHARS = 70_000;
/** mastodon.social's limit; local posts respect it, remote servers may allow far more. */
const LOCAL_MAX_CHARS = 500;
const SPOILERS = ['politics', 'food', 'eye contact', 'long post', 'mental health', 'uspol', 'spoilers'];

/** Relative activity at a moment: a smooth daily cycle peaking around 17:00 UTC (mean 1). */
export function dailyActivity(ms: number): number {
  const hour = (ms % DAY) / 3_600_000;
  return 1 + 0.45 * Math.cos((2 * Math.PI * (hour - 17)) / 24);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Remote servers send times at second precision; Mastodon stores what it receives (fixture 01). */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

export class StatusGenerator {
  readonly collectedFrom: string;
  readonly localHost: string;
  private readonly rng: Rng;
  private readonly seed: number;
  private readonly users: UserPool;
  private readonly ids: SnowflakeClock;
  private readonly languages: readonly DemoLanguage[];
  private readonly languageSampler: WeightedSampler;
  private readonly languageByCode = new Map<string, DemoLanguage>();
  private readonly hashtagSampler: ZipfSampler;
  private readonly appPicker = new WeightedPicker(APPS);
  private readonly botAppPicker = new WeightedPicker(BOT_APPS);
  private readonly ratePerSecond: number;
  private clockMs: number;
  // Each user's last status id as (ms, seq), in typed arrays: a Map of id strings would keep
  // ~100k small objects alive and the garbage collector would spend more time than the generator.
  private readonly lastMs: Float64Array;
  private readonly lastSeq: Uint16Array;
  /** Delete candidates: ids only, many. Edit candidates: whole statuses, few (they are big). */
  private readonly recentIds: Array<string | undefined> = new Array(RECENT_IDS);
  private recentIdPos = 0;
  private readonly recentStatuses: Array<MastodonStatus | undefined> = new Array(RECENT_STATUSES);
  private recentStatusPos = 0;

  constructor(opts: StatusGeneratorOptions) {
    this.seed = typeof opts.seed === 'number' ? opts.seed >>> 0 : hash32(opts.seed);
    this.rng = new Rng(hash32(this.seed, 'stream'));
    this.collectedFrom = opts.collectedFrom.replace(/\/+$/, '');
    this.localHost = new URL(this.collectedFrom).host;
    this.clockMs = opts.startTime ?? Date.now();
    this.ratePerSecond = opts.ratePerSecond ?? 10;
    this.ids = new SnowflakeClock(hash32(this.seed, this.localHost));
    this.lastMs = new Float64Array(opts.users ?? 150_000);
    this.lastSeq = new Uint16Array(opts.users ?? 150_000);
    this.languages = LANGUAGES;
    this.languageSampler = new WeightedSampler(LANGUAGES.map((l) => l.weight));
    for (const l of LANGUAGES) this.languageByCode.set(l.code, l);
    this.hashtagSampler = new ZipfSampler(HASHTAGS.length, 1.0);
    this.users = new UserPool({
      seed: this.seed,
      users: opts.users ?? 150_000,
      instances: withLocalFirst(this.localHost, opts.hostSuffix ?? ''),
      languages: LANGUAGES,
      languageSampler: this.languageSampler,
      // Day granularity so generators built moments apart still share one population.
      startTime: Math.floor(this.clockMs / DAY) * DAY,
    });
  }

  /** The generator's own clock (ms): the time of the last status, or the start time. */
  get now(): number {
    return this.clockMs;
  }

  /** The next id of the collecting instance at `atMs` (for statuses that arrive by other paths). */
  nextId(atMs: number): string {
    return this.ids.next(atMs);
  }

  /**
   * The next status. `atMs` is when the collecting instance receives it (its id encodes that
   * time); without it the own clock advances by a Poisson step that follows the daily cycle.
   */
  next(atMs?: number, opts: NextOptions = {}): MastodonStatus {
    const t = atMs ?? this.advanceClock();
    if (t > this.clockMs) this.clockMs = t;
    const rng = this.rng;
    const profile = this.pickAuthor(opts.local);
    const { local } = profile;

    // A remote post is created on its server a little before it reaches us; its id there is a
    // snowflake of that moment, our id a snowflake of the arrival.
    const originMs = local ? t : t - Math.round(rng.chance(0.02) ? rng.exponential(120_000) : 80 + rng.exponential(1500));
    const id = this.ids.next(t);
    const originId = local ? id : snowflakeId(originMs, hash32(this.seed, originMs) & 0xffff);
    const base = `https://${profile.host}`;

    const languageCode = rng.chance(0.05) ? null : rng.chance(0.93) ? profile.language : this.randomLanguage().code;
    const language = this.languageByCode.get(languageCode ?? profile.language) ?? (LANGUAGES[0] as DemoLanguage);
    const tags = this.pickHashtags(profile.bot);
    const mentions = rng.chance(0.1) ? this.pickMentions() : [];
    const link = rng.chance(profile.bot ? 0.7 : 0.22) ? randomLink(rng) : null;
    const lastMs = this.lastMs[profile.index] as number;
    const selfReply = lastMs > 0 && rng.chance(0.04);
    const lastId = selfReply ? snowflakeId(lastMs, this.lastSeq[profile.index] as number) : null;
    const spoiler = !profile.bot && rng.chance(0.04) ? rng.pick(SPOILERS) : '';
    const media = rng.chance(profile.bot ? 0.05 : 0.18) ? mediaAttachments(rng, rng.range(1, 4), t, this.localHost, local ? null : profile.host) : [];

    const content = buildContent(rng, {
      language,
      originHost: profile.host,
      local,
      // Mastodon keeps the tag's first-seen casing in `tags`, while the text has what the author typed.
      hashtags: tags.map((tag) => (rng.chance(0.1) ? tag.toLowerCase() : tag)),
      mentions: mentions.map((m) => m.target),
      link,
      targetChars: this.postLength(local),
    });

    const statusesCount = this.users.countPost(profile.index);
    // Built key by key so the JSON has the fixtures' key order (application sits after reblog).
    const draft: Record<string, unknown> = {
      id,
      created_at: local ? iso(originMs) : isoSeconds(originMs),
      in_reply_to_id: selfReply ? lastId : null,
      in_reply_to_account_id: selfReply ? profile.accountId : null,
      sensitive: spoiler !== '' || (media.length > 0 && rng.chance(0.05)),
      spoiler_text: spoiler,
      visibility: 'public',
      language: languageCode,
      uri: `${base}/users/${profile.username}/statuses/${originId}`,
      url: `${base}/@${profile.username}/${originId}`,
      replies_count: rng.chance(0.05) ? rng.range(1, 3) : 0,
      reblogs_count: rng.chance(0.08) ? Math.floor(rng.pareto(1, 1.3)) : 0,
      favourites_count: rng.chance(0.15) ? Math.floor(rng.pareto(1, 1.2)) : 0,
      edited_at: null,
      content,
      reblog: null,
    };
    const status = draft as unknown as MastodonStatus;
    // Only the author's own server knows which client posted; federated copies omit the key.
    if (local) status.application = this.application(profile);
    status.account = this.users.account(profile, statusesCount, originMs);
    status.media_attachments = media;
    status.mentions = mentions.map((m) => m.entity);
    status.tags = tags.map((name): MastodonTag => ({ name, url: `${this.collectedFrom}/tags/${encodeURIComponent(name)}` }));
    status.emojis = [];
    status.card = link && rng.chance(0.4) ? card(link, rng) : null;
    status.poll = rng.chance(0.01) ? poll(rng, t, language) : null;

    this.lastMs[profile.index] = this.ids.lastTime;
    this.lastSeq[profile.index] = this.ids.lastSeq;
    this.remember(status);
    return status;
  }

  /**
   * An edit of `status` (a `status.update`): same id, uri and created_at, new text and tags,
   * `edited_at` set. Returns a new object; the input is left as it was.
   */
  edit(status: MastodonStatus, atMs?: number): MastodonStatus {
    const rng = this.rng;
    const created = Date.parse(status.created_at);
    const local = !status.account.acct.includes('@');
    // Without a time, the edit lands a few minutes after the status (or the clock, if later).
    const editedMs = atMs !== undefined ? Math.max(atMs, created + 1000) : Math.max(this.clockMs, created) + 1000 + rng.int(600_000);
    const originHost = new URL(status.uri).host;
    const language = this.languageByCode.get(status.language ?? 'en') ?? (LANGUAGES[0] as DemoLanguage);
    const names = status.tags.map((t) => t.name);
    if (rng.chance(0.3)) {
      const extra = HASHTAGS[this.hashtagSampler.sample(rng)] as string;
      if (!names.some((n) => n.toLowerCase() === extra.toLowerCase())) names.push(extra);
    }
    const mentions = (status.mentions as Array<{ username: string; url: string }>).map((m) => ({ username: m.username, url: m.url }));
    const textLength = status.content.replace(/<[^>]*>/g, '').length;
    const content = buildContent(rng, {
      language,
      originHost,
      local,
      hashtags: names,
      mentions,
      link: rng.chance(0.2) ? randomLink(rng) : null,
      targetChars: Math.max(5, Math.round(textLength * (0.8 + rng.next() * 0.5))),
    });
    const edited: MastodonStatus = {
      ...status,
      edited_at: local ? iso(editedMs) : isoSeconds(editedMs),
      content,
      tags: names.map((name) => ({ name, url: `${this.collectedFrom}/tags/${encodeURIComponent(name)}` })),
    };
    const slot = this.recentStatuses.findIndex((s) => s?.id === status.id);
    if (slot >= 0) this.recentStatuses[slot] = edited;
    return edited;
  }

  /** A recently generated status (its latest version) to edit, or undefined before any. */
  pickForEdit(): MastodonStatus | undefined {
    const filled = Math.min(RECENT_STATUSES, this.recentStatusPos);
    for (let i = 0; i < 16 && filled > 0; i++) {
      const s = this.recentStatuses[this.rng.int(filled)];
      if (s) return s;
    }
    return undefined;
  }

  /** The id of a recently generated status to delete; it will not be picked again. */
  pickIdToDelete(): string | undefined {
    const filled = Math.min(RECENT_IDS, this.recentIdPos);
    for (let i = 0; i < 16 && filled > 0; i++) {
      const id = this.recentIds[this.rng.int(filled)];
      if (id) {
        this.forget(id);
        return id;
      }
    }
    return undefined;
  }

  /** Drops a status from the edit/delete candidates (e.g. it was deleted by other means). */
  forget(id: string): void {
    // Linear scans: deletes are ~1% of events, cheaper than maintaining id→slot maps per status.
    const i = this.recentIds.indexOf(id);
    if (i >= 0) this.recentIds[i] = undefined;
    const j = this.recentStatuses.findIndex((s) => s?.id === id);
    if (j >= 0) this.recentStatuses[j] = undefined;
  }

  /** Time encoded in one of this generator's ids (handy for tests and charts). */
  static idTime(id: string): number {
    return snowflakeTime(id);
  }

  private advanceClock(): number {
    const rate = this.ratePerSecond * dailyActivity(this.clockMs);
    this.clockMs += Math.max(1, Math.round(this.rng.exponential(1000 / rate)));
    return this.clockMs;
  }

  private pickAuthor(local: boolean | undefined): UserProfile {
    for (let i = 0; i < 500; i++) {
      const p = this.users.profile(this.users.pick(this.rng));
      if (local === undefined || p.local === local) return p;
    }
    // A population so small it has no (non-)local user: take whoever comes.
    return this.users.profile(this.users.pick(this.rng));
  }

  private randomLanguage(): DemoLanguage {
    return this.languages[this.languageSampler.sample(this.rng)] as DemoLanguage;
  }

  private pickHashtags(bot: boolean): string[] {
    const rng = this.rng;
    if (!rng.chance(bot ? 0.5 : 0.28)) return [];
    const count = 1 + Math.min(7, Math.floor(rng.pareto(1, 1.6)) - 1 + (rng.chance(0.3) ? 1 : 0));
    const out: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count * 2 && out.length < count; i++) {
      const tag = HASHTAGS[this.hashtagSampler.sample(rng)] as string;
      const key = tag.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(tag);
    }
    return out;
  }

  private pickMentions(): Array<{ target: MentionTarget; entity: Record<string, string> }> {
    const n = this.rng.chance(0.8) ? 1 : this.rng.range(2, 3);
    const out: Array<{ target: MentionTarget; entity: Record<string, string> }> = [];
    for (let i = 0; i < n; i++) {
      const p = this.users.profile(this.users.pick(this.rng));
      const url = `https://${p.host}/@${p.username}`;
      out.push({
        target: { username: p.username, url },
        entity: { id: p.accountId, username: p.username, url, acct: p.local ? p.username : `${p.username}@${p.host}` },
      });
    }
    return out;
  }

  /** Characters of text: mostly a sentence or two, sometimes a thread-sized post, rarely an essay. */
  private postLength(local: boolean): number {
    const rng = this.rng;
    const u = rng.next();
    let n: number;
    // Tuned so the mean length matches the reference collection (245 M characters over 1.62 M
    // toots: ~151 per toot), with the rare long tail up to Mastodon's limit that bad input needs.
    if (u < 0.0004) n = 5000 * Math.pow(MAX_CHARS / 5000, rng.next());
    else if (u < 0.025) n = rng.pareto(500, 1.5);
    else n = Math.exp(Math.log(68) + 0.85 * rng.normal());
    n = Math.max(3, Math.min(MAX_CHARS, Math.round(n)));
    return local ? Math.min(n, LOCAL_MAX_CHARS - 40) : n;
  }

  private application(p: UserProfile): { name: string; website: string | null } {
    const picker = p.bot ? this.botAppPicker : this.appPicker;
    // People mostly stick to one client; derive it from the user so it is stable across posts.
    const app = this.rng.chance(0.8) ? picker.pickAt(p.appChoice) : picker.pick(this.rng);
    return { name: app.name, website: app.website };
  }

  private remember(status: MastodonStatus): void {
    this.recentIds[this.recentIdPos++ % RECENT_IDS] = status.id;
    this.recentStatuses[this.recentStatusPos++ % RECENT_STATUSES] = status;
  }
}

/** The instance list with the collecting instance at rank 0: a server's own users dominate its feed. */
function withLocalFirst(localHost: string, suffix: string): DemoInstance[] {
  const all = suffix ? INSTANCES.map((i) => ({ ...i, host: `${i.host}${suffix}` })) : INSTANCES;
  const found = all.find((i) => i.host === localHost);
  const rest = all.filter((i) => i.host !== localHost);
  return [found ?? { host: localHost }, ...(found ? rest : rest.slice(0, -1))];
}
