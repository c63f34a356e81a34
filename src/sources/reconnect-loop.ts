import { backoffDelay } from './backoff';
import { HttpError, rateLimitWait, sleep, type SourceCallbacks, type SourceState } from './source';

/**
 * A streaming source's life: connect, and after every failure or end wait (a 429's own wait, else
 * capped jittered backoff, reset once a connection opens) and connect again, until stopped or a
 * failure that would only repeat. Shared by the SSE and the WebSocket readers.
 *
 * `connect` resolves when its connection ended (or `signal` stopped it) and calls `onOpen` once it
 * is established; `final` turns a failure that retrying cannot cure (a refused token, a redirect
 * elsewhere, a refused subscription) into the row's last state, or returns null to retry.
 */
export async function reconnectLoop(
  signal: AbortSignal,
  cb: Pick<SourceCallbacks, 'onState'>,
  connect: (onOpen: () => void) => Promise<void>,
  final: (err: unknown) => SourceState | null,
): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    try {
      cb.onState({ state: 'connecting' });
      await connect(() => {
        attempt = 0;
      });
      if (signal.aborted) return;
      throw new Error('the stream ended');
    } catch (err) {
      if (signal.aborted) return;
      const last = final(err);
      if (last) {
        cb.onState(last);
        return;
      }
      const wait = err instanceof HttpError && err.status === 429 ? rateLimitWait(err) : backoffDelay(attempt++);
      const reason = err instanceof Error ? err.message : String(err);
      cb.onState({ state: 'reconnecting', reason, nextAttemptAt: Date.now() + wait });
      try {
        await sleep(wait, signal);
      } catch {
        return;
      }
    }
  }
}
