import { describe, expect, it } from 'vitest';
import { openNodeDuckDb } from './helpers/node-duckdb';

/**
 * `AnalyticsDb.exec` sends its statements as one script (analytics-db.ts asOneScript). The
 * contract is still that of running them one by one: in order, stopping at the first failure.
 */
describe('exec as one script', () => {
  it('runs statements in order, a trailing comment included, and stops at the first failure', async () => {
    const db = await openNodeDuckDb();
    await db.exec(['CREATE TABLE a (x INTEGER) -- a comment that must not swallow the next statement', 'INSERT INTO a VALUES (1)']);
    await expect(db.exec(['INSERT INTO a VALUES (2)', "SELECT error('stop here')", 'INSERT INTO a VALUES (3)'])).rejects.toThrow(/stop here/);
    expect(await db.query("SELECT string_agg(x::VARCHAR, ',' ORDER BY x) AS xs FROM a")).toEqual([{ xs: '1,2' }]);
    // A transaction that fails part way leaves nothing once rolled back, as the merges rely on.
    await expect(db.exec(['BEGIN TRANSACTION', 'INSERT INTO a VALUES (4)', "SELECT error('again')", 'COMMIT'])).rejects.toThrow(/again/);
    await db.exec('ROLLBACK');
    expect(await db.query('SELECT count(*)::INTEGER AS n FROM a')).toEqual([{ n: 2 }]);
    await db.close();
  });
});
