import { URI_KEYS } from './schema';

/**
 * Retention: keep the last N days (by the post's time) or the newest N toots. A rule is stored
 * with the batch it was applied in, with its cutoff fixed, so replaying batches prunes the same
 * rows at the same point and a reload rebuilds the same table.
 */
export type RetentionRule = { olderThanMs: number } | { keepNewest: number };

export type RetentionSetting = { mode: 'all' } | { mode: 'days'; days: number } | { mode: 'toots'; toots: number };

const ts = (ms: number) => `TIMESTAMP '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

/** The concrete rule for a setting at time `now`, or null for "keep everything". */
export function ruleFor(setting: RetentionSetting, now: number): RetentionRule | null {
  if (setting.mode === 'days') return { olderThanMs: now - setting.days * 86_400_000 };
  if (setting.mode === 'toots') return { keepNewest: Math.max(0, Math.floor(setting.toots)) };
  return null;
}

/** `WHERE` condition selecting the toots a rule drops (over `toots`). */
export function droppedWhere(rule: RetentionRule): string {
  if ('olderThanMs' in rule) return `created_ts < ${ts(rule.olderThanMs)}`;
  return `uri IN (SELECT uri FROM toots ORDER BY created_ts DESC, uri DESC OFFSET ${rule.keepNewest})`;
}

export function pruneStatements(rule: RetentionRule): string[] {
  return [
    `DELETE FROM toot_store WHERE ${droppedWhere(rule)}`,
    // Keys older than every row kept are of dropped rows only (schema.ts URI_KEYS).
    `DELETE FROM ${URI_KEYS} WHERE created_at < (SELECT min(created_at) FROM toot_store)`,
  ];
}

export function droppedCountSql(rule: RetentionRule): string {
  return `SELECT count(*)::INTEGER AS n FROM toots WHERE ${droppedWhere(rule)}`;
}
