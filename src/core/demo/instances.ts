/**
 * Instance host names in rough order of how often their posts reach a big instance's federated
 * timeline; the generator samples them by zipf rank. The head is real, well-known servers so the
 * demo's "top instances" chart looks familiar; the tail is invented but plausible, because a
 * realistic long tail of small servers is what stresses distinct-count sketches.
 */

export interface DemoInstance {
  host: string;
  /** The language most of its users write in, when it has one. */
  language?: string;
}

const HEAD: ReadonlyArray<readonly [string, string?]> = [
  ['mastodon.social'], ['mstdn.jp', 'ja'], ['mas.to'], ['fosstodon.org'], ['mastodon.online'],
  ['mastodon.world'], ['infosec.exchange'], ['hachyderm.io'], ['mstdn.social'], ['pawoo.net', 'ja'],
  ['chaos.social', 'de'], ['techhub.social'], ['mastodon.art'], ['social.vivaldi.net'],
  ['troet.cafe', 'de'], ['fedibird.com', 'ja'], ['piaille.fr', 'fr'], ['mastodon.uno', 'it'],
  ['mastodon.nl', 'nl'], ['social.tchncs.de', 'de'], ['det.social', 'de'], ['aus.social'],
  ['mastodon.gamedev.place'], ['mathstodon.xyz'], ['mamot.fr', 'fr'], ['norden.social', 'de'],
  ['sfba.social'], ['mastodon.scot'], ['universeodon.com'], ['indieweb.social'], ['toot.community'],
  ['ruby.social'], ['phpc.social'], ['mastodon.ie'], ['mastodon.nz'], ['masto.ai'], ['home.social'],
  ['mastodon.green'], ['social.coop'], ['kolektiva.social'], ['qoto.org'], ['mindly.social'],
  ['tech.lgbt'], ['toot.cafe'], ['octodon.social'], ['todon.eu'], ['mastodonapp.uk'], ['mastodon.au'],
  ['mstdn.ca'], ['mastodon.xyz'], ['framapiaf.org', 'fr'], ['mastodon.bida.im', 'it'],
  ['sueden.social', 'de'], ['bonn.social', 'de'], ['muenchen.social', 'de'], ['berlin.social', 'de'],
  ['ohai.social'], ['c.im'], ['mstdn.party'], ['social.lol'], ['newsie.social'], ['journa.host'],
  ['zirk.us'], ['sigmoid.social'], ['fediscience.org'], ['scholar.social'], ['mastodon.cloud'],
  ['botsin.space'], ['m.cmx.im', 'zh'], ['mastodon-japan.net', 'ja'], ['best-friends.chat', 'ja'],
  ['mstdn.io'], ['planet.moe', 'ko'], ['mastodon.com.tr', 'tr'], ['mastodont.cat', 'ca'],
  ['mastodon.eus', 'eu'], ['masto.es', 'es'], ['mastodon.cr', 'es'], ['mastodon.com.br', 'pt'],
  ['ursal.zone', 'pt'], ['mastodon.uy', 'es'], ['mastodon.se', 'sv'], ['mastodontti.fi', 'fi'],
  ['mastodon.green'], ['mastodon.pl', 'pl'], ['101010.pl', 'pl'], ['witter.cz', 'cs'],
  ['mastodon.cz', 'cs'], ['mastodon.gr', 'el'], ['mastodon.ar.al'], ['tyrol.social', 'de'],
  ['graz.social', 'de'], ['wien.rocks', 'de'], ['swiss.social', 'de'], ['mastodon.lu', 'lb'],
  ['toot.wales', 'cy'], ['mastodon.iriseden.eu'], ['social.anoxinon.de', 'de'], ['dresden.network', 'de'],
  ['ioc.exchange'], ['mastodon.sdf.org'], ['tilde.zone'], ['hostux.social', 'fr'], ['mstdn.science'],
  ['urbanists.social'], ['historians.social'], ['wandering.shop'], ['glammr.us'], ['mastodon.radio'],
];

/** Stems and suffixes the invented tail is built from; a TLD may imply a language. */
const STEMS = [
  'harbor', 'lantern', 'pixel', 'moss', 'fern', 'tide', 'kernel', 'byte', 'otter', 'heron', 'orbit',
  'meadow', 'cedar', 'willow', 'raven', 'finch', 'comet', 'nebula', 'maple', 'pebble', 'ember',
  'frost', 'lynx', 'koala', 'teapot', 'waffle', 'noodle', 'mango', 'basil', 'thyme', 'river',
  'cloud', 'spark', 'forest', 'garden', 'coral', 'kelp', 'gecko', 'badger', 'wren',
];
const PATTERNS = [
  (s: string, t: string) => `${s}.social${t}`,
  (s: string, t: string) => `toot.${s}${t}`,
  (s: string, t: string) => `masto.${s}${t}`,
  (s: string, t: string) => `${s}town${t}`,
  (s: string, t: string) => `social.${s}${t}`,
  (s: string, t: string) => `mstdn.${s}${t}`,
  (s: string, t: string) => `${s}.zone${t}`,
];
const TLDS: ReadonlyArray<readonly [string, string?]> = [
  [''], ['.de', 'de'], [''], ['.fr', 'fr'], ['.jp', 'ja'], [''], ['.nl', 'nl'], ['.es', 'es'],
  ['.it', 'it'], [''], ['.se', 'sv'], ['.fi', 'fi'], ['.pl', 'pl'], ['.br', 'pt'], [''], ['.kr', 'ko'],
];

function buildTail(count: number, taken: Set<string>): DemoInstance[] {
  const out: DemoInstance[] = [];
  for (let i = 0; out.length < count; i++) {
    const stem = STEMS[i % STEMS.length] as string;
    const pattern = PATTERNS[Math.floor(i / STEMS.length) % PATTERNS.length]!;
    const [tld, language] = TLDS[(i * 7) % TLDS.length]!;
    // Patterns without a TLD of their own need one; `.social`/`.zone` already end in one.
    const host = pattern(stem, tld || (pattern(stem, '').includes('.social') || pattern(stem, '').endsWith('.zone') ? '' : '.net'));
    if (taken.has(host)) continue;
    taken.add(host);
    out.push(language ? { host, language } : { host });
  }
  return out;
}

function buildInstances(total: number): DemoInstance[] {
  const taken = new Set<string>();
  const head: DemoInstance[] = [];
  for (const [host, language] of HEAD) {
    if (taken.has(host)) continue;
    taken.add(host);
    head.push(language ? { host, language } : { host });
  }
  return head.concat(buildTail(total - head.length, taken));
}

/** ~300 instances, most popular first. */
export const INSTANCES: readonly DemoInstance[] = buildInstances(300);
