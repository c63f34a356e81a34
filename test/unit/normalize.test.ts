import { describe, expect, it } from 'vitest';
import { fixture, fixtureStatuses } from './helpers/fixtures';
import { InvalidStatusError, normalizeStatus, normalizeBaseUrl, formatCreatedAtStr } from '../../src/core/normalize';
import { codePointLength, htmlToText, wordCount } from '../../src/core/html-to-text';
import { ipcToToots, tootsToIPC } from '../../src/core/arrow-batch';
import type { MastodonStatus } from '../../src/core/mastodon';

const BASE = 'https://mastodon.social';
const at = Date.UTC(2026, 10, 23);

describe('htmlToText', () => {
  it('turns paragraphs and line breaks into whitespace and decodes entities once', () => {
    expect(htmlToText('<p>one</p><p>two<br>three<br />four</p>')).toBe('one\n\ntwo\nthree\nfour');
    expect(htmlToText('<p>a &amp; b &lt;p&gt; &#39;q&#39; &quot;x&quot; &#x1F600;</p>')).toBe(`a & b <p> 'q' "x" 😀`);
    expect(htmlToText('<p>&amp;lt;</p>')).toBe('&lt;');
  });
  it('keeps a link full URL like get_text() and the text of mentions and hashtags', () => {
    const html =
      '<p><a href="https://trwnh.com" rel="nofollow noopener"><span class="invisible">https://</span><span class="">trwnh.com</span><span class="invisible"></span></a> ' +
      '<span class="h-card"><a href="https://x.y/@bob" class="u-url mention">@<span>bob</span></a></span> ' +
      '<a href="https://x.y/tags/test" class="mention hashtag" rel="tag">#<span>test</span></a></p>';
    expect(htmlToText(html)).toBe('https://trwnh.com @bob #test');
  });
  it('drops script and style content and comments, and treats plain text as text', () => {
    expect(htmlToText('<p>hi<script>alert(1)</script><style>p{}</style><!-- c --> there</p>')).toBe('hi there');
    expect(htmlToText('no markup at all')).toBe('no markup at all');
    expect(htmlToText('')).toBe('');
  });
  it('counts code points and whitespace words like Python', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect(wordCount('  one two\n\nthree\u3000four ')).toBe(4);
    expect(wordCount('')).toBe(0);
  });
  it('handles a 70,000-character toot', () => {
    const long = '<p>' + 'word '.repeat(14_000) + '</p>';
    const text = htmlToText(long);
    expect(codePointLength(text)).toBe(14_000 * 5 - 1);
    expect(wordCount(text)).toBe(14_000);
  });
});

describe('normalizeStatus on the real fixtures', () => {
  it.each(fixtureStatuses())('%s', (_name, status) => {
    const row = normalizeStatus(status, BASE, 'stream', at);
    expect(row.id).toBe(status.id);
    expect(row.m_id?.toString()).toBe(status.id);
    expect(row.uri).toBe(status.uri);
    expect(row.created_at).toBe(Math.floor(Date.parse(status.created_at) / 1000));
    expect(row.language).toBe(status.language ?? 'unknown');
    expect(row.app).toBe(status.application?.name ?? '');
    expect(row.acct).toMatch(/^[^@]+@[^@]+$/);
    expect(row.hashtags).toEqual(status.tags.map((t) => t.name.toLowerCase()));
    expect(row.tags).toBe(status.tags.length);
    expect(row.mastodon_text).not.toMatch(/<[a-z/]/i);
    expect(row.seen_on).toEqual([BASE]);
  });

  it('qualifies a local account with the host of its url and reads the app', () => {
    const row = normalizeStatus(fixture('03_stream_hashtag_local_update_local_trwnh_app.json'), BASE, 'stream', at);
    expect(row.acct).toBe('trwnh@mastodon.social');
    expect(row.app).toBe('Web');
    expect(row.from_instance).toBe('mastodon.social');
  });

  it('keeps a remote account as is and marks null language unknown', () => {
    const s = fixture('04_stream_user_update_remote_pleroma_mention_langnull.json');
    const row = normalizeStatus(s, BASE, 'poll', at);
    expect(s.language).toBeNull();
    expect(row.language).toBe('unknown');
    expect(row.acct).toBe(s.account.acct);
    expect(row.mentions).toBe(s.mentions.length);
  });

  it('formats created_at_str in UTC', () => {
    expect(formatCreatedAtStr(Date.UTC(2022, 7, 30, 23, 12, 47, 900))).toBe('2022 08 30 23:12:47');
  });

  it('rejects payloads that cannot be a row', () => {
    const good = fixture('01_stream_public_update_remote_mstdnjp.json');
    expect(() => normalizeStatus({ ...good, id: 108914354907984653 as unknown as string }, BASE, 'stream', at)).toThrow(InvalidStatusError);
    expect(() => normalizeStatus({ ...good, created_at: 'yesterday' }, BASE, 'stream', at)).toThrow(InvalidStatusError);
    expect(() => normalizeStatus({ ...good, account: undefined } as unknown as MastodonStatus, BASE, 'stream', at)).toThrow(InvalidStatusError);
    expect(() => normalizeStatus(null as unknown as MastodonStatus, BASE, 'stream', at)).toThrow(InvalidStatusError);
  });

  it('normalises instance URLs to base URLs without a trailing slash', () => {
    expect(normalizeBaseUrl('https://Fosstodon.org/')).toBe('https://fosstodon.org');
    expect(normalizeBaseUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080');
  });
});

describe('Arrow IPC round trip', () => {
  it('returns every column unchanged', () => {
    const rows = fixtureStatuses().map(([, s], i) => normalizeStatus(s, BASE, 'stream', at + i));
    rows[0]!.edited_at = Date.UTC(2026, 0, 1, 2, 3, 4, 5);
    const back = ipcToToots(tootsToIPC(rows));
    expect(back).toEqual(rows);
  });
});
