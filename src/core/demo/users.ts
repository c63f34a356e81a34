/**
 * The demo's population of accounts. A user's attributes (name, server, bot flag, language, age)
 * are a pure function of (seed, index), so nothing per user has to be stored: profiles are
 * rebuilt on demand and only a bounded cache plus one counter per user live in memory — the demo
 * runs for hours in a browser tab.
 */

import type { MastodonAccount } from '../mastodon';
import type { DemoInstance } from './instances';
import { Rng, WeightedSampler, ZipfSampler, hash32, mix32 } from './random';
import { snowflakeId } from './snowflake';
import type { DemoLanguage } from './vocabulary';
import { BOT_NAMES, BOT_NOTE, DISPLAY_DECORATIONS, FIRST_NAMES, NOUNS, PROFILE_NOTES } from './vocabulary';

export interface UserProfile {
  index: number;
  username: string;
  /** The user's home server. */
  host: string;
  /** Home server is the instance whose stream we pretend to read. */
  local: boolean;
  bot: boolean;
  /** Language code the user usually writes in. */
  language: string;
  /** A fixed uniform draw that picks the user's usual client app. */
  appChoice: number;
  /** Account id in the collecting instance's database. */
  accountId: string;
  createdAtMs: number;
  /** `created_at` as the API writes it, kept because formatting dates per status is costly. */
  createdAtIso: string;
  displayName: string;
  followers: number;
  following: number;
  baseStatuses: number;
  discoverable: boolean;
  locked: boolean;
  note: string;
  avatar: string;
  header: string;
  fields: Array<{ name: string; value: string; verified_at: string | null }>;
}

const DAY = 86_400_000;
const MASTODON_LAUNCH = Date.UTC(2016, 2, 16);
const TWITTER_MIGRATION = Date.UTC(2022, 10, 1);
/** Account ids became time-based (snowflake) around here; older accounts have small serial ids. */
const SNOWFLAKE_ACCOUNTS = Date.UTC(2022, 3, 1);
/** Busiest users (lowest indices) whose profiles stay cached for good. */
const HOT_USERS = 30_000;
/** The long tail is cached only briefly: it rarely posts twice in a row. */
const TAIL_CACHE_LIMIT = 20_000;

export interface UserPoolOptions {
  seed: number;
  users: number;
  /** Instances in popularity order; index 0 must be the local one. */
  instances: readonly DemoInstance[];
  languages: readonly DemoLanguage[];
  languageSampler: WeightedSampler;
  /** Accounts are never younger than this minus a day. */
  startTime: number;
}

export class UserPool {
  readonly size: number;
  private readonly activity: ZipfSampler;
  private readonly instanceRank: ZipfSampler;
  private readonly hot: Array<UserProfile | undefined>;
  private readonly tail = new Map<number, UserProfile>();
  private lastDay = -1;
  private lastDayString = '';
  /** Posts generated per user, so `statuses_count` grows as the stream runs. */
  private readonly posted: Uint32Array;
  private readonly permStep: number;
  private readonly userSalt: number;

  constructor(private readonly opts: UserPoolOptions) {
    this.size = opts.users;
    // s < 1 keeps the busiest account near 2% of posts: a single heavy poster dominating the
    // demo would make every share (bots, languages) swing with that one account.
    this.activity = new ZipfSampler(opts.users, 0.8);
    this.instanceRank = new ZipfSampler(opts.instances.length, 1.1);
    this.posted = new Uint32Array(opts.users);
    this.hot = new Array(Math.min(HOT_USERS, opts.users));
    this.permStep = coprimeStep(opts.users, opts.seed);
    this.userSalt = hash32(opts.seed, 'user');
  }

  /** A user index, busy users more often. */
  pick(rng: Rng): number {
    return this.activity.sample(rng);
  }

  /** Counts one more post by `index` and returns the new statuses_count. */
  countPost(index: number): number {
    const p = this.profile(index);
    this.posted[index] = (this.posted[index] ?? 0) + 1;
    return p.baseStatuses + (this.posted[index] as number);
  }

  profile(index: number): UserProfile {
    // Index is activity rank, so a fixed set of hot profiles catches most posts without the
    // churn a clear-when-full cache causes.
    if (index < this.hot.length) return (this.hot[index] ??= this.build(index));
    let p = this.tail.get(index);
    if (p) return p;
    if (this.tail.size >= TAIL_CACHE_LIMIT) this.tail.clear();
    p = this.build(index);
    this.tail.set(index, p);
    return p;
  }

  /** `YYYY-MM-DD` of a time, memoised per day (statuses arrive in time order). */
  private day(ms: number): string {
    const d = Math.floor(ms / 86_400_000);
    if (d !== this.lastDay) {
      this.lastDay = d;
      this.lastDayString = new Date(d * 86_400_000).toISOString().slice(0, 10);
    }
    return this.lastDayString;
  }

  /** The Mastodon account entity as the collecting instance serves it. */
  account(p: UserProfile, statusesCount: number, lastStatusAtMs: number): MastodonAccount {
    return {
      id: p.accountId,
      username: p.username,
      acct: p.local ? p.username : `${p.username}@${p.host}`,
      display_name: p.displayName,
      locked: p.locked,
      bot: p.bot,
      discoverable: p.discoverable,
      group: false,
      created_at: p.createdAtIso,
      note: p.note,
      url: `https://${p.host}/@${p.username}`,
      avatar: p.avatar,
      avatar_static: p.avatar,
      header: p.header,
      header_static: p.header,
      followers_count: p.followers,
      following_count: p.following,
      statuses_count: statusesCount,
      last_status_at: this.day(lastStatusAtMs),
      emojis: [],
      fields: p.fields,
    };
  }

  private build(index: number): UserProfile {
    const { seed, instances, startTime } = this.opts;
    const rng = new Rng(mix32(this.userSalt ^ Math.imul(index + 1, 0x9e3779b1)));
    const instance = instances[this.instanceRank.sample(rng)] as DemoInstance;
    const local = instance === instances[0];
    const bot = rng.chance(0.05);
    const language =
      instance.language && rng.chance(0.8)
        ? instance.language
        : (this.opts.languages[this.opts.languageSampler.sample(rng)] as DemoLanguage).code;
    const username = this.username(index, rng, bot);
    const createdAtMs = accountCreation(rng, startTime);
    const accountId =
      createdAtMs >= SNOWFLAKE_ACCOUNTS
        ? snowflakeId(createdAtMs + rng.int(DAY), rng.int(65536))
        : String(1000 + index * 11 + rng.int(11)); // disjoint ranges: unique serial ids
    const media = `https://files.${instances[0]?.host ?? 'mastodon.social'}/${local ? '' : 'cache/'}accounts`;
    const idPath = accountId.padStart(Math.ceil(accountId.length / 3) * 3, '0').match(/.{3}/g)!.join('/');
    const avatar = rng.chance(0.1)
      ? `https://${instances[0]?.host}/avatars/original/missing.png`
      : `${media}/avatars/${idPath}/original/${rng.hex(16)}.${rng.chance(0.7) ? 'png' : 'jpeg'}`;
    const header = rng.chance(0.3)
      ? `https://${instances[0]?.host}/headers/original/missing.png`
      : `${media}/headers/${idPath}/original/${rng.hex(16)}.jpeg`;
    const followers = Math.min(900_000, Math.floor(rng.pareto(bot ? 3 : 8, bot ? 1.4 : 1.05)) - 1);
    return {
      index,
      username,
      host: instance.host,
      local,
      bot,
      language,
      appChoice: rng.next(),
      accountId,
      createdAtMs,
      createdAtIso: new Date(createdAtMs).toISOString(),
      displayName: displayName(rng, username, bot),
      followers,
      following: bot ? rng.int(5) : Math.floor(Math.exp(4 + rng.normal() * 1.2)),
      baseStatuses: Math.min(2_000_000, Math.floor(rng.pareto(10, bot ? 0.6 : 0.9))),
      discoverable: rng.chance(0.7),
      locked: rng.chance(0.03),
      note: `<p>${escapeNote(bot ? BOT_NOTE : rng.pick(PROFILE_NOTES))}</p>`,
      avatar,
      header,
      fields: rng.chance(0.4)
        ? [{ name: 'Website', value: websiteField(username), verified_at: rng.chance(0.5) ? new Date(createdAtMs + DAY).toISOString().replace('Z', '+00:00') : null }]
        : [],
    };
  }

  /**
   * Usernames come from a permutation of the index split into (first name, noun, number), so two
   * users never share a name on the same server, which would merge them in per-account counts.
   */
  private username(index: number, rng: Rng, bot: boolean): string {
    const k = (index * this.permStep + 7919) % this.size;
    const a = FIRST_NAMES.length;
    const b = NOUNS.length;
    const first = FIRST_NAMES[k % a] as string;
    const noun = NOUNS[Math.floor(k / a) % b] as string;
    const n = Math.floor(k / (a * b));
    const suffix = n > 0 ? String(n) : '';
    if (bot) return `${first}${noun}_${BOT_NAMES[k % BOT_NAMES.length]}${suffix}`;
    const style = rng.int(4);
    const name =
      (style === 0 ? `${first}_${noun}` : style === 1 ? `${first}${noun}` : style === 2 ? `${noun}${first}` : `${noun}_${first}`) +
      suffix;
    return rng.chance(0.1) ? name.charAt(0).toUpperCase() + name.slice(1) : name;
  }
}

function coprimeStep(n: number, seed: number): number {
  let step = 104_729 + (hash32(seed, 'perm') % 1000);
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  while (gcd(step, n) !== 1) step++;
  return step;
}

/** Sign-up dates: a steady trickle since 2016 plus the late-2022 wave; midnight UTC like the API. */
function accountCreation(rng: Rng, startTime: number): number {
  const latest = Math.max(MASTODON_LAUNCH, startTime - DAY);
  const u = rng.next();
  let t: number;
  if (u < 0.35 && latest > TWITTER_MIGRATION) t = TWITTER_MIGRATION + rng.next() * 90 * DAY;
  else t = MASTODON_LAUNCH + rng.next() * (latest - MASTODON_LAUNCH);
  t = Math.min(t, latest);
  return Math.floor(t / DAY) * DAY;
}

function displayName(rng: Rng, username: string, bot: boolean): string {
  const base = username.replace(/[_\d]+/g, ' ').trim();
  const title = base.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
  if (bot) return `${title} 🤖`;
  const r = rng.next();
  if (r < 0.05) return '';
  if (r < 0.45) return title;
  if (r < 0.75) return `${title} ${rng.pick(DISPLAY_DECORATIONS)}`;
  return `${title.split(' ')[0] ?? title} ${String.fromCharCode(65 + rng.int(26))}.`;
}

function escapeNote(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
}

function websiteField(username: string): string {
  const host = `${username.toLowerCase().replace(/_/g, '-')}.example`;
  return `<a href="https://${host}" target="_blank" rel="nofollow noopener noreferrer me"><span class="invisible">https://</span><span class="">${host}</span><span class="invisible"></span></a>`;
}
