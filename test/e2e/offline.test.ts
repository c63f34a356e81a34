import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp, tootsCollected } from './support/app-page';
import { queryViaConsole } from './support/page-sql';
import { serveStatic } from './support/static-server';
import { DIST } from './support/global-setup';
import { DUCKDB_WASM } from './support/hold-duckdb';

/** `eh` or `mvp`, from a hashed asset's path or URL. */
const bundleOf = (pathOrUrl: string) => DUCKDB_WASM.exec(pathOrUrl)?.[1];

/** DuckDB wasm requests made by pages and their workers (not the service worker's precaching). */
function wasmRequests(context: BrowserContext): Array<{ url: string; fromServiceWorker: () => Promise<boolean> }> {
  const seen: Array<{ url: string; fromServiceWorker: () => Promise<boolean> }> = [];
  context.on('request', (r) => {
    if (!DUCKDB_WASM.test(new URL(r.url()).pathname) || r.serviceWorker()) return;
    seen.push({ url: r.url(), fromServiceWorker: async () => (await r.response())?.fromServiceWorker() ?? false });
  });
  return seen;
}

/** Waits until the page's service worker has installed and activated (it registers once DuckDB is up). */
async function serviceWorkerActive(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state ?? 'none'), { timeout: 90_000 })
    .toBe('activated');
}

/**
 * Issue 16: the built page precaches itself and the eh wasm in a service worker, so a second
 * visit downloads no wasm and opens with no network; each visit uses exactly one DuckDB wasm.
 */
describe('installable and offline', () => {
  const h = useHarness({ prefix: '/app/' });

  it('has a web app manifest with icons', async () => {
    const res = await fetch(new URL('manifest.webmanifest', h.url));
    expect(res.headers.get('content-type')).toContain('manifest+json');
    const manifest = (await res.json()) as { name: string; start_url: string; display: string; icons: Array<{ src: string; sizes: string }> };
    expect(manifest).toMatchObject({ start_url: './', display: 'standalone' });
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await fetch(new URL(icon.src, h.url))).status).toBe(200);
    const page = await openApp(h.context, h.url);
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toContain('manifest.webmanifest');
    await page.close();
  });

  it('fetches one DuckDB wasm, compressed, on a first visit; a second visit with the network cut opens from the cache and runs SQL', async () => {
    // A host of its own, shut down before the second visit: nothing can reach it then, not even
    // the browser's own check for a new service worker.
    const site = await serveStatic(DIST, { prefix: '/offline/' });
    const requested = wasmRequests(h.context);
    const first = await openApp(h.context, `${site.url}?demo`);
    await expect.poll(() => tootsCollected(first), { timeout: 60_000 }).toBeGreaterThan(20);
    await serviceWorkerActive(first);
    await first.getByRole('button', { name: 'Stop demo' }).click();
    const wasmServed = site.served.filter((s) => DUCKDB_WASM.test(s.path));
    // Once over the wire, brotli'd; the service worker's precaching took it from the HTTP cache.
    expect(wasmServed.map((s) => [bundleOf(s.path), s.status, s.encoding])).toEqual([['eh', 200, 'br']]);
    expect(requested.map((r) => bundleOf(r.url))).toEqual(['eh']);
    await first.close();

    requested.length = 0;
    await site.close();
    await h.context.setOffline(true);
    try {
      const second = await openApp(h.context, site.url);
      await expect.poll(() => second.getByText('DuckDB-WASM bundle: eh').count(), { timeout: 60_000 }).toBe(1);
      await expect.poll(() => tootsCollected(second), { timeout: 60_000 }).toBeGreaterThan(20);
      const shown = await tootsCollected(second);
      const { rows } = await queryViaConsole(second, 'SELECT count(*)::INTEGER AS n FROM toots');
      expect(Number(rows[0]?.[0])).toBe(shown);
      // The one wasm of this visit came from the service worker.
      expect(requested.map((r) => bundleOf(r.url))).toEqual(['eh']);
      expect(await requested[0]!.fromServiceWorker()).toBe(true);
      await second.close();
    } finally {
      await h.context.setOffline(false);
    }
  });
});
