/** Exponential backoff with full jitter, capped (AWS architecture blog's "full jitter"). */
export function backoffDelay(attempt: number, baseMs = 1000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.max(250, Math.floor(random() * ceiling));
}
