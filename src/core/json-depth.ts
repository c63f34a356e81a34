/**
 * No real Mastodon status nests deeper than about ten levels (status → quote → quoted status →
 * account → fields; media → meta → original). JSON.parse copes with 100,000 levels, but every
 * recursive walk after it (structuredClone, JSON.stringify, a schema validator) overflows the
 * stack; such a payload is built to crash, so the readers refuse it before anything walks it.
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests objects/arrays deeper than `max`; iterative, so it cannot overflow itself. */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
