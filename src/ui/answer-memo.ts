/**
 * The charts' recent answers by their SQL, each valid for one version of the data (its stamp,
 * LocalData.stamp). Clearing a filter, or clicking a language a second time, asks DuckDB for
 * exactly what it answered a moment ago; while the data is the same (collection paused, a viewer
 * tab, a stored collection) those answers are drawn at once instead of a round of queries. The
 * last visit's saved answers come in the same way (ChartsState.connect): a reload whose DuckDB
 * holds the very data they were given for does not ask again.
 */
export class AnswerMemo {
  private stamp: string | null = null;
  private readonly rows = new Map<string, unknown[]>();

  constructor(private readonly capacity = 48) {}

  /** The rows last remembered for `sql` when the data had `stamp`, or undefined. */
  get<T>(sql: string, stamp: string | null): T[] | undefined {
    if (stamp === null || stamp !== this.stamp) return undefined;
    const rows = this.rows.get(sql);
    if (rows) {
      // Most recently used last: the first entry is the one to drop.
      this.rows.delete(sql);
      this.rows.set(sql, rows);
    }
    return rows as T[] | undefined;
  }

  /** Keeps answers given for `stamp`; answers for another version of the data are dropped. */
  remember(answers: ReadonlyArray<{ sql: string; rows: unknown[] }>, stamp: string | null): void {
    if (stamp === null) return;
    if (stamp !== this.stamp) {
      this.rows.clear();
      this.stamp = stamp;
    }
    for (const { sql, rows } of answers) {
      this.rows.delete(sql);
      this.rows.set(sql, rows);
    }
    for (const key of this.rows.keys()) {
      if (this.rows.size <= this.capacity) break;
      this.rows.delete(key);
    }
  }
}
