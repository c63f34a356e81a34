import { describe, expect, it } from 'vitest';
import { readUrlState, shareLink } from '../../src/ui/url-state';
import type { StreamChannel } from '../../src/core/mastodon';

/** Issue 19: `?instances=` carries each row's feeds in a form people can share. */
describe('share link', () => {
  const page = { origin: 'https://tootscope.example', pathname: '/app/', search: '?lang=en&demo&instances=old.example', hash: '#charts' };
  const rows: Array<{ baseUrl: string; channels: StreamChannel[] }> = [
    { baseUrl: 'https://a.example', channels: ['public'] },
    { baseUrl: 'https://b.example', channels: ['#rust', '#Go/local', 'public/local', 'public/remote'] },
    { baseUrl: 'http://127.0.0.1:8080', channels: ['#café'] },
  ];

  it('names every row’s feeds, keeps the other parameters, drops the demo, and reads back as the same rows', () => {
    const link = shareLink(page, rows);
    expect(link).toBe(
      'https://tootscope.example/app/?lang=en&instances=https://a.example,https://b.example/tags/rust,https://b.example/tags/Go/local,' +
        'https://b.example/public/local,https://b.example/public/remote,http://127.0.0.1:8080/tags/caf%C3%A9#charts',
    );
    const back = readUrlState(new URL(link).search);
    expect(back.demo).toBe(false);
    const byBase = new Map<string, StreamChannel[]>();
    for (const raw of back.instances) {
      const base = new URL(raw).origin;
      byBase.set(base, [...(byBase.get(base) ?? []), back.channels.get(raw) ?? 'public']);
    }
    expect(Object.fromEntries(byBase)).toEqual(Object.fromEntries(rows.map((r) => [r.baseUrl, r.channels])));
    expect(link).not.toMatch(/token/i);
  });

  it('leaves instances out when there are no rows', () => {
    expect(shareLink({ ...page, search: '?instances=x&from=1' }, [])).toBe('https://tootscope.example/app/?from=1#charts');
  });
});
