import { afterAll, beforeAll } from 'vitest';
import { startFakeMastodon, type FakeMastodon, type FakeMastodonOptions } from '../../fake-mastodon';
import { DIST } from './global-setup';
import { serveStatic } from './static-server';
import { launchBrowser } from './browser';

export interface Harness<K extends string> {
  /** The built app's URL (ends with `/`). */
  readonly url: string;
  readonly context: Awaited<ReturnType<typeof launchBrowser>>['context'];
  readonly fakes: Record<K, FakeMastodon>;
}

/**
 * The usual e2e setup, once per file: fake instances, the built app on a static host (as README's
 * hosting notes say; COOP/COEP only if asked, the app does not need them) and a fresh Chromium;
 * all closed afterwards.
 */
export function useHarness<K extends string = never>(opts: {
  fakes?: Record<K, FakeMastodonOptions>;
  prefix?: string;
  isolated?: boolean;
  serviceWorkers?: 'allow' | 'block';
  /** The browser's locale (navigator.language, Intl's default), e.g. 'de-DE'. */
  locale?: string;
} = {}): Harness<K> {
  let site: Awaited<ReturnType<typeof serveStatic>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  const fakes = {} as Record<K, FakeMastodon>;
  beforeAll(async () => {
    for (const [name, o] of Object.entries(opts.fakes ?? {}) as Array<[K, FakeMastodonOptions]>) fakes[name] = await startFakeMastodon(o);
    site = await serveStatic(DIST, { prefix: opts.prefix ?? '/', isolated: opts.isolated ?? false });
    browser = await launchBrowser({ serviceWorkers: opts.serviceWorkers ?? 'allow', ...(opts.locale ? { locale: opts.locale } : {}) });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    for (const f of Object.values(fakes) as FakeMastodon[]) await f.close();
  });
  return {
    get url() {
      return site!.url;
    },
    get context() {
      return browser!.context;
    },
    fakes,
  };
}
