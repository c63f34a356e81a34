/**
 * How a hostile or broken server answers an HTTP request, for the fake's fault modes: it never
 * answers, sends headers and then stalls, or sends a body of `bytes` (100 MB) of valid-looking JSON.
 * Each is written with backpressure, so the fake itself never holds the body in memory.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Headers } from './http-util';

export type HostileAnswer =
  /** Accept the request and never send a byte. */
  | { kind: 'silent' }
  /** Send 200 and the headers and the start of the body, then nothing. */
  | { kind: 'stall-body' }
  /** 200 with a JSON body of about `bytes`: a list of copies of `item`, or `item` (an object) with a huge extra field. */
  | { kind: 'huge'; bytes: number };

/** Responses held open by 'silent' and 'stall-body'; closed with the server. */
export const held = new Set<ServerResponse>();

export function answerHostile(req: IncomingMessage, res: ServerResponse, answer: HostileAnswer, headers: Headers, item: string, list: boolean): void {
  if (answer.kind === 'silent') {
    held.add(res);
    res.on('close', () => held.delete(res));
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  if (answer.kind === 'stall-body') {
    res.write(list ? `[${item}` : item.slice(0, Math.floor(item.length / 2)));
    held.add(res);
    res.on('close', () => held.delete(res));
    return;
  }
  // No Content-Length: a chunked body, so the client only finds out how big it is by reading it.
  const open = list ? '[' : '{"padding":"';
  // An object: the real document, with one more field in front that never ends.
  const close = list ? ']' : `",${item.slice(1)}`;
  const chunk = list ? `${item},`.repeat(Math.max(1, Math.floor(65_536 / (item.length + 1)))) : 'x'.repeat(65_536);
  let sent = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  res.write(open);
  const pump = () => {
    while (!closed && sent < answer.bytes) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!closed) res.end(list ? `${item}${close}` : close);
  };
  pump();
  void req;
}
