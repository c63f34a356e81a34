import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { StreamChannel } from '../core/mastodon';

export interface InstanceSetting {
  baseUrl: string;
  channel: StreamChannel;
  paused: boolean;
}

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
}
