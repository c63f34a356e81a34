/**
 * A minimal SSE reader for tests against the fake server: it records the raw text as well as
 * the parsed events, because framing (first bytes, heartbeat blocks) is part of what is tested.
 */

import { createParser, type EventSourceMessage } from 'eventsource-parser';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function until(pred: () => boolean, what: string, timeout = 3000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export interface SseClient {
  res: Response;
  events: EventSourceMessage[];
  /** Comment lines without the colon: `)` first, then `thump`s. */
  comments: string[];
  /** Everything received, for framing checks. */
  readonly raw: string;
  readonly ended: boolean;
  /** Settles when the stream ends, by the server, a drop or close(). */
  done: Promise<void>;
  close(): void;
}

/** An SSE client as the app's own: fetch with a streamed body (status visible), eventsource-parser. */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  let raw = '';
  let ended = false;
  const parser = createParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
  const done = (async () => {
    if (res.status === 200 && res.body) {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          const text = decoder.decode(value, { stream: true });
          raw += text;
          parser.feed(text);
        }
      } catch {
        // aborted by the test or dropped by the server: both just end the stream
      }
    }
    ended = true;
  })();
  return {
    res,
    events,
    comments,
    get raw() {
      return raw;
    },
    get ended() {
      return ended;
    },
    done,
    close: () => ac.abort(),
  };
}
