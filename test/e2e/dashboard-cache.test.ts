import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { DUCKDB_WASM, holdDuckDbWasm } from './support/hold-duckdb';
import { openApp, waitForCount, waitForRowState } from './support/app-page';
import { card, readTable } from './support/charts-page';
import { idbValue, setIdbValue } from './support/idb';
import { DB_FILE, opfsFileBytes } from './support/table-file';

const CHARTS = ['Daily usage', 'Top 20 languages', 'Client apps', 'Top hashtags', 'Federation overlap'];

/** Every chart's table, as text. */
async function tables(page: Page): Promise<Record<string, Awaited<ReturnType<typeof readTable>>>> {
  const out: Record<string, Awaited<ReturnType<typeof readTable>>> = {};
  for (const title of CHARTS) out[title] = await readTable(card(page, title));
  return out;
}

/** The daily table's toots, all days added up. */
async function dailyToots(page: Page): Promise<number> {
  const t = await readTable(card(page, 'Daily usage'));
  const col = t.columns.indexOf('Toots');
  return t.rows.reduce((n, r) => n + Number(r[col]!.replace(/\D/g, '')), 0);
}

/** The sequence number of the newest batch in IndexedDB (src/store/wal/batch-store.ts), or -1. */
function newestBatch(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('tootscope-batches');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const keys = db.transaction('batches').objectStore('batches').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            const seqs = (keys.result as string[]).filter((k) => k.startsWith('batch-')).map((k) => Number(k.slice(6)));
            resolve(seqs.length ? Math.max(...seqs) : -1);
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
  );
}

/** DuckDB's database file's size in OPFS (src/db/opfs-file.ts), or 0 when there is none. */
const dbFileBytes = async (page: Page): Promise<number> => (await opfsFileBytes(page, DB_FILE)) ?? 0;

/** The toots the saved dashboard's time span counts, read from IndexedDB as the next visit will (NaN: none saved). */
async function savedToots(page: Page): Promise<number> {
  const saved = (await idbValue(page, 'tootscope-dashboard', 'answers', 'last-round')) as { answers?: { span?: { rows?: Array<{ toots?: number }> } } } | undefined;
  return Number(saved?.answers?.span?.rows?.[0]?.toots ?? NaN);
}

/**
 * Issue 15: a reload draws every chart from the answers the last visit saved, before DuckDB is up
 * (held back here by holding its wasm), says they are saved ones and when, and replaces them with
 * DuckDB's own once it is ready.
 */
describe('the dashboard on a reload, before DuckDB is ready', () => {
  const h = useHarness({ fakes: { alpha: { domain: 'cache.test', liveFeeds: 'public', cacheSeconds: 1, seed: 15 } }, serviceWorkers: 'block' });

  it('draws every chart from the saved answers while DuckDB starts, then from DuckDB', async () => {
    const alpha = h.fakes.alpha;
    for (let i = 0; i < 40; i++) alpha.publish();
    const url = `${h.url}?instances=${alpha.webUrl}`;
    const host = new URL(alpha.webUrl).host;
    const first = await openApp(h.context, url);
    await waitForRowState(first, host, /^polling/);
    await waitForCount(first, 40);
    // The page saves the charts' answers a few seconds after a round, and when it is hidden.
    await expect.poll(() => savedToots(first), { timeout: 60_000 }).toBe(40);
    const before = await tables(first);
    expect(before['Daily usage']?.rows.length).toBeGreaterThan(0);
    expect(before['Top 20 languages']?.rows.length).toBeGreaterThan(0);
    expect(await dailyToots(first)).toBe(40);
    await first.close();

    const wasm = await holdDuckDbWasm(h.context);
    const second = await openApp(h.context, url);
    try {
      await expect.poll(() => second.getByTestId('charts-saved').count(), { timeout: 30_000 }).toBe(1);
      expect(await second.getByTestId('charts-saved').textContent()).toMatch(/^Charts as saved at .+; they update once DuckDB is ready\.$/);
      expect(await tables(second)).toEqual(before);
      // All of that with DuckDB's wasm still held back.
      expect(wasm.held()).toBe(1);
      expect(await second.getByText('DuckDB-WASM bundle:').count()).toBe(0);
    } finally {
      wasm.release();
    }
    await expect.poll(() => second.getByText('DuckDB-WASM bundle:').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => second.getByTestId('charts-saved').count(), { timeout: 60_000 }).toBe(0);
    // DuckDB's answers: the same, and they follow new toots.
    expect(await tables(second)).toEqual(before);
    for (let i = 0; i < 5; i++) alpha.publish();
    await waitForCount(second, 45);
    await expect.poll(() => dailyToots(second), { timeout: 30_000 }).toBe(45);
    await expect.poll(() => savedToots(second), { timeout: 60_000 }).toBe(45);
    const latest = await tables(second);
    await wasm.stop();
    await second.close();

    // A visit whose DuckDB cannot start (its wasm's download fails) keeps the saved charts, says
    // they will not update and why, and leaves DuckDB's file alone.
    const refuse = (route: Route) => route.abort();
    await h.context.route(DUCKDB_WASM, refuse);
    // The page's clock, so that the download watchdog's 30 s (DOWNLOAD_STALL_MS) pass at once
    // instead of being waited out: Playwright's fastForward jumps ahead and fires each timer that
    // fell due meanwhile, as a laptop closed and reopened would.
    await h.context.clock.install();
    const third = await openApp(h.context, url);
    try {
      await expect.poll(() => third.getByTestId('charts-saved').textContent()).toMatch(/they update once DuckDB is ready\.$/);
      await third.clock.fastForward(31_000);
      await expect.poll(() => third.getByTestId('charts-saved').textContent()).toMatch(/DuckDB could not start, so they do not update\.$/);
      expect(await third.getByRole('alert').filter({ hasText: 'DuckDB could not start: its wasm did not arrive' }).count()).toBe(1);
      expect(await tables(third)).toEqual(latest);
      expect(await third.getByText(/table file could not be|rebuilt from the stored toots/).count()).toBe(0);
    } finally {
      await h.context.unroute(DUCKDB_WASM, refuse);
      await third.close();
    }
    // The file is DuckDB's cache of the collection: a DuckDB that never started does not remove it.
    // Read from a page that is not the app, and polled: while the closed second page's worker
    // still holds the file, it cannot be read (a CI run read it too soon once).
    const look = await h.context.newPage();
    await look.goto(`${h.url}favicon.svg`);
    await expect.poll(() => dbFileBytes(look), { timeout: 30_000 }).toBeGreaterThan(0);
    await look.close();
  });

  it("takes the saved answers as DuckDB's own when DuckDB holds the very data they were given for, and only then", async () => {
    const alpha = h.fakes.alpha;
    const url = `${h.url}?instances=${alpha.webUrl}`;
    type Saved = { stamp?: string | null; answers: { daily: { rows: Array<{ toots: number }> } } };
    const saved = (page: Page) => idbValue(page, 'tootscope-dashboard', 'answers', 'last-round') as Promise<Saved | undefined>;
    const first = await openApp(h.context, url);
    await waitForCount(first, 45);
    // Saved for the data as it is at the end: the round after the last merge (a stamp begins with
    // the newest batch merged, LocalData.stamp). An earlier round's answers are rightly not taken
    // as DuckDB's own on the next visit; on a loaded machine that was the round saved last.
    await expect
      .poll(async () => {
        const s = await saved(first);
        const seq = typeof s?.stamp === 'string' ? (JSON.parse(s.stamp) as unknown[])[0] : null;
        return [seq === (await newestBatch(first)), s?.answers.daily.rows.reduce((n, r) => n + r.toots, 0)];
      }, { timeout: 60_000 })
      .toEqual([true, 45]);
    await first.close();

    // Mark the saved daily answer so that it can be told from DuckDB's, from a page of the same
    // origin that does not run the app (the app saves its own answers when it is closed).
    const edit = async (change: (s: Saved) => void) => {
      const page = await h.context.newPage();
      await page.goto(`${h.url}favicon.svg`);
      const s = (await saved(page))!;
      change(s);
      await setIdbValue(page, 'tootscope-dashboard', 'answers', 'last-round', s);
      await page.close();
    };
    await edit((s) => (s.answers.daily.rows[0]!.toots += 1_000_000));

    const same = await openApp(h.context, url);
    await expect.poll(() => same.getByText('DuckDB-WASM bundle:').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => same.getByTestId('charts-saved').count(), { timeout: 60_000 }).toBe(0);
    // DuckDB did not ask again: the marked answer stands as its own (the stamps match).
    expect(await dailyToots(same)).toBe(1_000_045);
    await same.close();

    // Another collection's stamp: DuckDB asks, and the charts show its answer.
    await edit((s) => (s.stamp = `${s.stamp}, another collection`));
    const other = await openApp(h.context, url);
    await expect.poll(() => other.getByText('DuckDB-WASM bundle:').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => dailyToots(other), { timeout: 60_000 }).toBe(45);
    await expect.poll(() => other.getByTestId('charts-saved').count()).toBe(0);
    await other.close();
  });
});
