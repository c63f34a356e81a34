import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openNodeDuckDb } from './helpers/node-duckdb';
import type { AnalyticsDb } from '../../src/db/analytics-db';
import { authorFigures } from '../../src/core/sql/cube/author-figures';

/**
 * The daily table's author figures against the figures counted in JS from the same cells: the
 * distinct authors (an author whose bot flag changed within a day, or is unknown, has more than
 * one cell and is one user), and the most active user and bot, ties to the first name A→Z. Names
 * and keys may be NULL, as a file imported from elsewhere can hold them.
 */
interface Cell { day: number | null; acct: string | null; bot: boolean | null; n: number }
interface Figures { day: number | null; users: number; top_user: string | null; top_user_toots: number | null; top_bot: string | null; top_bot_toots: number | null }

const NAMES = ['ann@a.example', 'Bob@b.example', 'bob@b.example', 'cat@a.example', 'dan@c.example', null];

/** What the figures must be: per day, counted over the cells one by one. */
function expected(cells: Cell[]): Figures[] {
  const days = [...new Set(cells.map((c) => c.day))];
  return days.map((day) => {
    const of = cells.filter((c) => c.day === day);
    const top = (bot: boolean) => {
      const kind = of.filter((c) => c.bot === bot);
      if (!kind.length) return [null, null] as const;
      const most = Math.max(...kind.map((c) => c.n));
      const names = kind.filter((c) => c.n === most && c.acct !== null).map((c) => c.acct!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return [names[0] ?? null, most] as const;
    };
    const [top_user, top_user_toots] = top(false);
    const [top_bot, top_bot_toots] = top(true);
    const users = new Set(of.map((c) => c.acct).filter((a) => a !== null)).size;
    return { day, users, top_user, top_user_toots, top_bot, top_bot_toots };
  });
}

const sqlValue = (v: string | number | boolean | null) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v));

describe('author figures', () => {
  let db: AnalyticsDb;
  beforeAll(async () => {
    db = await openNodeDuckDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('count each author once and rank the most active as counting the cells one by one does', async () => {
    // Cells are one per (day, author, bot), as the per-author cubes keep them.
    const cell = fc.record({
      day: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 6 }),
      acct: fc.constantFrom(...NAMES),
      bot: fc.option(fc.boolean(), { freq: 5 }),
      n: fc.integer({ min: 1, max: 4 }),
    });
    const cells = fc.uniqueArray(cell, { minLength: 1, maxLength: 40, selector: (c) => `${c.day}|${c.acct}|${c.bot}` });
    await fc.assert(
      fc.asyncProperty(cells, async (cs) => {
        const values = cs.map((c) => `(${[c.day, c.acct, c.bot, c.n].map(sqlValue).join(', ')})`).join(', ');
        const rel = `SELECT day, acct, bot, n FROM (VALUES ${values}) v(day, acct, bot, n)`;
        const got = await db.query<Figures>(`SELECT * FROM ${authorFigures(rel, ['day'])} ORDER BY day NULLS LAST`);
        const want = expected(cs).sort((a, b) => (a.day ?? Infinity) - (b.day ?? Infinity));
        expect(got.map((r) => ({ ...r, day: r.day === null ? null : Number(r.day) }))).toEqual(want);
      }),
      { seed: 20261207, numRuns: 150 },
    );
  });
});
