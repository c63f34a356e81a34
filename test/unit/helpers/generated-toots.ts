import { StatusGenerator } from '../../../src/core/demo/generator';
import { normalizeStatus } from '../../../src/core/normalize';
import { tootsToIPC } from '../../../src/core/arrow-batch';
import type { TootRow } from '../../../src/core/toot';
import { TootTable } from '../../../src/store/duckdb/toot-table';
import type { AnalyticsDb } from '../../../src/db/analytics-db';

export const START = Date.UTC(2026, 10, 20, 18);

/** `n` generated toots from two collecting instances over ~3 days, plus some from a host with a port. */
export function generatedToots(n: number, seed = 6): TootRow[] {
  const gens = ['https://mastodon.social', 'https://fosstodon.org'].map(
    (collectedFrom, i) => new StatusGenerator({ seed: seed + i, collectedFrom, startTime: START, ratePerSecond: (n / (3 * 86_400)) / 2 }),
  );
  const rows: TootRow[] = [];
  for (let i = 0; i < n; i++) {
    const gen = gens[i % 2]!;
    const s = gen.next();
    const row = normalizeStatus(s, gen.collectedFrom, 'stream', gen.now + 500);
    if (i % 97 === 0) {
      // A dev server with a port, as the fake instances in the e2e suite are.
      row.from_instance = '127.0.0.1:8080';
      row.acct = `${row.username}@127.0.0.1:8080`;
    }
    rows.push(row);
  }
  return rows;
}

export async function loadToots(db: AnalyticsDb, rows: TootRow[]): Promise<void> {
  const table = new TootTable(db);
  await table.init();
  for (let i = 0; i < rows.length; i += 10_000) await table.apply({ ipc: tootsToIPC(rows.slice(i, i + 10_000)), deletes: [] });
}

