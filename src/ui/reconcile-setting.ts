import { RECONCILE_MS } from '../sources/reconcile';

/** localStorage key: seconds between comparisons of a stream with its public timeline. */
export const RECONCILE_SECONDS_KEY = 'tootscope.reconcileSeconds';

/**
 * How often streams are reconciled: 60 s unless `localStorage['tootscope.reconcileSeconds']`
 * says otherwise (the e2e tests shorten it). Clamped to 1–3600 s; whatever it says, each round
 * stays within its page bound and rate-limit reserve, so it cannot hammer a server. Not a URL
 * parameter, so no link can change it.
 */
export function reconcileIntervalMs(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(RECONCILE_SECONDS_KEY) ?? null;
  } catch {
    /* storage blocked: the default */
  }
  const s = raw === null ? NaN : Number(raw);
  if (!Number.isFinite(s)) return RECONCILE_MS;
  return Math.round(Math.min(3600, Math.max(1, s)) * 1000);
}
