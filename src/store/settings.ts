import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { StreamChannel } from '../core/mastodon';
import type { OAuthClient, PendingSignIn } from '../sources/oauth';
import type { RetentionSetting } from '../core/sql/retention';
import type { Software } from '../sources/nodeinfo';

export interface InstanceSetting {
  baseUrl: string;
  /** The first feed, as versions before several feeds per row read it. */
  channel: StreamChannel;
  /** Every feed the row follows (absent in settings saved before feeds were several). */
  channels?: StreamChannel[];
  paused: boolean;
}

/** The feeds a saved row follows, in settings of either version. */
export const savedChannels = (s: InstanceSetting): StreamChannel[] => s.channels ?? [s.channel];

/**
 * What the person chose, kept in IndexedDB beside the data: instances and their access tokens.
 * Tokens live only here and in memory: never in the URL, localStorage, logs or exports.
 */
export class Settings {
  private store: UseStore | null = null;
  private fallback = new Map<string, unknown>();

  constructor() {
    try {
      if (typeof indexedDB !== 'undefined') this.store = createStore('tootscope-settings', 'settings');
    } catch {
      this.store = null;
    }
  }

  private async read<T>(key: string, def: T): Promise<T> {
    try {
      if (this.store) return ((await get<T>(key, this.store)) ?? def) as T;
    } catch {
      this.store = null;
    }
    return (this.fallback.get(key) as T) ?? def;
  }

  private async write(key: string, value: unknown): Promise<void> {
    this.fallback.set(key, value);
    try {
      if (this.store) await set(key, value, this.store);
    } catch {
      /* memory-only: the banner about storage already says so */
    }
  }

  instances(): Promise<InstanceSetting[]> {
    return this.read<InstanceSetting[]>('instances', []);
  }

  saveInstances(list: InstanceSetting[]): Promise<void> {
    return this.write('instances', list.map((i) => ({ ...i })));
  }

  async token(baseUrl: string): Promise<string> {
    const all = await this.read<Record<string, string>>('tokens', {});
    return all[baseUrl] ?? '';
  }

  async saveToken(baseUrl: string, token: string): Promise<void> {
    const all = { ...(await this.read<Record<string, string>>('tokens', {})) };
    if (token) all[baseUrl] = token;
    else delete all[baseUrl];
    await this.write('tokens', all);
  }

  /**
   * The server software each instance said it runs (NodeInfo), kept past the row's removal so an
   * export still says what its toots were collected from.
   */
  software(): Promise<Record<string, Software>> {
    return this.read<Record<string, Software>>('software', {});
  }

  /** One read-modify-write at a time: rows discovered together would otherwise overwrite each other's entry. */
  private softwareWrites: Promise<void> = Promise.resolve();

  saveSoftware(baseUrl: string, software: Software): Promise<void> {
    const next = this.softwareWrites.then(async () => {
      const all = await this.software();
      const had = all[baseUrl];
      if (had && had.name === software.name && had.version === software.version) return;
      await this.write('software', { ...all, [baseUrl]: { name: software.name, version: software.version } });
    });
    this.softwareWrites = next.catch(() => undefined);
    return next;
  }

  /** The OAuth client registered on an instance for this page's URL: reused, not registered again. */
  async client(baseUrl: string, redirectUri: string): Promise<OAuthClient | null> {
    const all = await this.read<Record<string, OAuthClient>>('clients', {});
    const c = all[baseUrl];
    return c && c.redirect_uri === redirectUri ? c : null;
  }

  async saveClient(baseUrl: string, client: OAuthClient): Promise<void> {
    const all = { ...(await this.read<Record<string, OAuthClient>>('clients', {})), [baseUrl]: client };
    await this.write('clients', all);
  }

  async savePending(p: PendingSignIn): Promise<void> {
    const all = (await this.read<PendingSignIn[]>('pending-sign-in', [])).filter((x) => Date.now() - x.createdAt < 3_600_000);
    await this.write('pending-sign-in', [...all, p]);
  }

  /** The pending sign-in for `state`, removed so a code is used once. */
  async takePending(state: string): Promise<PendingSignIn | null> {
    const all = await this.read<PendingSignIn[]>('pending-sign-in', []);
    const found = all.find((p) => p.state === state) ?? null;
    await this.write('pending-sign-in', all.filter((p) => p.state !== state));
    return found;
  }

  retention(): Promise<RetentionSetting> {
    return this.read<RetentionSetting>('retention', { mode: 'all' });
  }

  saveRetention(r: RetentionSetting): Promise<void> {
    return this.write('retention', r);
  }
}
