import type { PostSpec } from './charts-page';

/**
 * The posts of the charts e2e test (charts.test.ts): 22 on two fake instances in four ten-minute
 * clusters two hours apart on one day, three of alpha's also carried by beta. Every figure that
 * test expects is worked out from these.
 */

export type Inst = 'alpha' | 'beta';
export interface Post extends PostSpec {
  inst: Inst;
  /** Also published on beta (a federated copy), after alpha's copy was collected. */
  shared?: boolean;
}

export const DAY = '2026-11-20';
export const P = (inst: Inst, hm: string, user: string, lang: string | null, app: string | null, text: string, tags: string[] = [], extra: Partial<Post> = {}): Post => ({
  inst, at: `${DAY}T${hm}:00Z`, user, lang, app, text, tags, ...extra,
});
const BOT = { bot: true };
const SHARED = { shared: true };

// Shared posts carry no client app: which copy's (empty) `app` wins is the subject of the last test.
export const POSTS: Post[] = [
  P('alpha', '09:01', 'alice', 'en', null, 'Morning coffee in the sun', ['Coffee'], SHARED),
  P('alpha', '09:03', 'alice', 'en', 'Elk', 'Second cup'),
  P('alpha', '09:05', 'abot', 'en', 'feedbot', 'Headline one', ['News'], BOT),
  P('alpha', '09:07', 'bob', 'de', 'Ivory', 'Guten Morgen zusammen', ['Coffee']),
  P('beta', '09:02', 'carol', 'ja', 'Elk', 'おはよう'),

  P('alpha', '11:01', 'alice', 'en', 'Elk', 'Rain all day long', ['Rain']),
  P('alpha', '11:04', 'bob', 'en', 'Ivory', 'coffee break', ['coffee']),
  P('alpha', '11:06', 'bob', 'de', 'Ivory', 'Kaffee und Kuchen'),
  P('alpha', '11:08', 'alice', 'de', 'Elk', 'Ein kurzer Gruß'),
  P('beta', '11:02', 'dave', 'en', 'Phanpy', 'Reading the news', ['Fediverse']),
  P('beta', '11:05', 'carol', 'ja', 'Elk', '雨の日', ['Rain']),

  P('alpha', '13:02', 'bob', 'de', null, 'Mittagspause', [], SHARED),
  P('alpha', '13:04', 'alice', 'de', null, 'Noch ein Kaffee', ['Coffee'], SHARED),
  P('beta', '13:01', 'dave', 'en', 'Phanpy', 'Lunch and coffee', ['Coffee']),
  P('beta', '13:03', 'carol', 'en', 'Elk', 'Quiet afternoon here'),
  P('beta', '13:05', 'bbot', 'en', 'feedbot', 'Headline two', ['News'], BOT),
  P('beta', '13:07', 'dave', 'de', 'Phanpy', 'Hallo'),

  P('alpha', '15:02', 'alice', 'en', 'Elk', 'Evening coffee', ['Coffee']),
  P('alpha', '15:06', 'alice', 'en', 'Elk', 'Good night all'),
  P('beta', '15:01', 'carol', 'ja', 'Elk', 'こんばんは'),
  P('beta', '15:03', 'carol', 'ja', 'Elk', 'また明日', ['Rain']),
  P('beta', '15:05', 'dave', null, 'Phanpy', 'no language set'),
];
