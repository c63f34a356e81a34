import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { CREATE_TABLES, TOOTS_AS_STORED } from '../src/core/sql/schema';
import { CREATE_CUBES, REBUILD_CUBES } from '../src/core/sql/cube/cubes';
import { cubeSpan } from '../src/core/sql/cube/charts';
import type { ChartFilters } from '../src/core/sql/charts';
import { dashboardSql, interactionRounds, INTERACTION_PICKS_SQL, type InteractionPicks } from './page/dashboard-sql';

/**
 * Where an interaction round's time goes, without the browser: native DuckDB on one thread (as
 * duckdb-wasm's eh bundle runs) over the cubes built from an `npm run bench` export, each round's
 * queries as the bench's page runs them (bench/page/charts.ts), best of five per query.
 *
 *   npm run bench:native-rounds            (reads bench/out/toots-1622149.parquet)
 *   ROUNDS_PARQUET=bench/out/toots-600000.parquet npm run bench:native-rounds
 */
const PARQUET = process.env.ROUNDS_PARQUET ?? 'bench/out/toots-1622149.parquet';

it('times each chart of each interaction round', async () => {
  const file = path.join(tmpdir(), 'tootscope-native-rounds.duckdb');
  rmSync(file, { force: true });
  const instance = await DuckDBInstance.create(file, { threads: '1' });
  const c = await instance.connect();
  const rows = async <T>(sql: string): Promise<T[]> => (await c.runAndReadAll(sql)).getRowObjectsJson() as unknown as T[];
  for (const s of CREATE_TABLES) await c.run(s);
  await c.run(`INSERT INTO toot_store SELECT ${TOOTS_AS_STORED} FROM read_parquet('${PARQUET.replace(/'/g, "''")}') t`);
  for (const s of [...CREATE_CUBES, ...REBUILD_CUBES]) await c.run(s);
  await c.run('CHECKPOINT');
  // The same rounds as the bench's page, and the unfiltered one before them.
  const [picks] = await rows<InteractionPicks>(INTERACTION_PICKS_SQL);
  const rounds: Array<[string, ChartFilters]> = [['none', {}], ...interactionRounds(picks!)];
  const [cells] = await rows<{ n: number }>('SELECT count(*)::INTEGER AS n FROM agg_hour');
  const out: Record<string, unknown> = { parquet: PARQUET, agg_hour_cells: cells!.n, threads: 1 };
  for (const [name, f] of rounds) {
    const best: Record<string, number> = {};
    let round = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      const span = await cubeSpan((sql) => rows(sql), f);
      best.span = Math.min(best.span ?? Infinity, performance.now() - t0);
      for (const [chart, sql] of dashboardSql(f, span)) {
        const t1 = performance.now();
        await rows(sql);
        best[chart] = Math.min(best[chart] ?? Infinity, performance.now() - t1);
      }
      round = Math.min(round, performance.now() - t0);
    }
    out[name] = { round_ms: Math.round(round), ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v)])) };
  }
  console.log(JSON.stringify(out, null, 1));
  c.closeSync();
  rmSync(file, { force: true });
}, 30 * 60_000);
