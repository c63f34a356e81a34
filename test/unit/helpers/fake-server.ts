import { afterEach } from 'vitest';
import { startFakeMastodon, type FakeMastodon, type FakeMastodonOptions } from '../../fake-mastodon';
import { openStream as open } from '../../fake-mastodon/sse-client';

/** The fake Mastodon's own tests: servers started here are closed after each test. */
export const TOKEN = 'user-token';
export const openStream = (url: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) => open(url, headers);

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A fake server that accepts TOKEN, closed after the test; `track` does the same for another server. */
export async function fake(opts: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  return track(await startFakeMastodon({ tokens: [TOKEN], users: 5000, ...opts }));
}

export function track<T extends { close(): Promise<void> }>(server: T): T {
  running.push(server);
  return server;
}
