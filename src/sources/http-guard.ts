/**
 * Every REST request to an instance (discovery, timeline pages, backfill) goes through here: a
 * server is a stranger's, so it may never answer, redirect elsewhere, or send without end.
 */

/**
 * A Mastodon API answer normally takes well under a second; 20 s covers a slow server on a bad
 * link, and is short enough that a server which accepts the connection and never answers (or sends
 * headers, then stalls the body) shows as such on its row instead of "connecting" forever.
 */
export const REST_TIMEOUT_MS = 20_000;

/**
 * A timeline page holds at most 40 statuses; a real status is 1.5–4 KB of JSON (the fixtures in
 * shared/fixtures/mastodon), so a page is ~150 KB. 16 MiB is 100 times that and still fits a page
 * with one 5 MB toot, yet stops a 100 MB (or endless) body long before it costs real memory.
 */
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** An instance document is 5–20 KB (rules, description, configuration); 2 MiB is generous. */
export const MAX_INSTANCE_BYTES = 2 * 1024 * 1024;

/** The server did not answer (headers and whole body) within the time given. */
export class NoAnswerError extends Error {}

/**
 * A request answered from another origin than the one asked. Refused for good, not retried: a
 * redirect is the server's deliberate answer and would come back on every retry, and what the
 * other origin sends is not this instance's data.
 */
export class RedirectRefusedError extends Error {}

/** A body larger than the cap for its kind: cut off, nothing of it used. */
export class TooLargeError extends Error {}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

export interface GuardedResponse {
  res: Response;
  /** The body as JSON, read under the same deadline, at most `maxBytes` of it. */
  json(): Promise<unknown>;
  /** The body as text, under the same deadline and cap. */
  text(): Promise<string>;
  /** Ends the request (and its deadline) early, e.g. after an error status. */
  done(): void;
}

/**
 * `fetch` with a deadline covering headers and body, a refusal of answers from another origin
 * (a same-origin redirect, e.g. a trailing slash, is fine), and a byte cap on the body.
 */
export async function guardedFetch(
  url: string,
  init: RequestInit & { signal?: AbortSignal },
  opts: { maxBytes: number; timeoutMs?: number; what: string },
): Promise<GuardedResponse> {
  const asked = new URL(url);
  const timeoutMs = opts.timeoutMs ?? REST_TIMEOUT_MS;
  const local = new AbortController();
  const outer = init.signal;
  const noAnswer = () => new NoAnswerError(`no answer from ${asked.host} in ${Math.round(timeoutMs / 1000)} s`);
  const timer = setTimeout(() => local.abort(noAnswer()), timeoutMs);
  const onOuter = () => local.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  const done = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  };
  // Past the deadline, whatever the fetch or the body read throws, the row should say why.
  const explain = (err: unknown): unknown => (local.signal.reason instanceof NoAnswerError && !outer?.aborted ? local.signal.reason : err);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: local.signal, redirect: init.redirect ?? 'follow' });
  } catch (err) {
    done();
    throw explain(err);
  }
  if (res.redirected && new URL(res.url).origin !== asked.origin) {
    local.abort(new DOMException('redirect refused', 'AbortError'));
    done();
    throw new RedirectRefusedError(
      `${asked.host} redirected ${opts.what} to ${new URL(res.url).host}; refused: only ${asked.host} itself is read`,
    );
  }
  const text = async () => {
    try {
      return await readCapped(res, opts.maxBytes, () => {
        local.abort(new DOMException('too large', 'AbortError'));
        return new TooLargeError(`${asked.host} sent more than ${mb(opts.maxBytes)} for ${opts.what}; cut off`);
      });
    } catch (err) {
      throw explain(err);
    } finally {
      done();
    }
  };
  return { res, done, text, json: async () => JSON.parse(await text()) as unknown };
}

/** The body as text, cancelling the read once it passes `maxBytes`. */
async function readCapped(res: Response, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const declared = Number(res.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}
