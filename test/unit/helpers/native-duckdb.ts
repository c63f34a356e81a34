import { DuckDBInstance } from '@duckdb/node-api';

/** Native DuckDB (the engine people run outside the browser), to read back what we export. */
export async function nativeQuery<T = Record<string, unknown>>(sql: string | string[]): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const statements = typeof sql === 'string' ? [sql] : sql;
    let rows: T[] = [];
    for (const s of statements) rows = (await (await conn.runAndReadAll(s)).getRowObjectsJson()) as T[];
    return rows;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
