/**
 * Language codes Mastodon tags posts with: ISO 639-1, the ISO 639-3 codes it adds and its
 * regional Chinese codes (app/helpers/languages_helper.rb: ISO_639_3, ISO_639_1_REGIONAL).
 * Names come from the browser; FALLBACK_NAMES covers those it cannot name.
 */
export const LANGUAGE_CODES: readonly string[] = [
  'aa', 'ab', 'ae', 'af', 'ak', 'am', 'an', 'ar', 'as', 'av', 'ay', 'az', 'ba', 'be', 'bg', 'bh',
  'bi', 'bm', 'bn', 'bo', 'br', 'bs', 'ca', 'ce', 'ch', 'co', 'cr', 'cs', 'cu', 'cv', 'cy', 'da',
  'de', 'dv', 'dz', 'ee', 'el', 'en', 'eo', 'es', 'et', 'eu', 'fa', 'ff', 'fi', 'fj', 'fo', 'fr',
  'fy', 'ga', 'gd', 'gl', 'gn', 'gu', 'gv', 'ha', 'he', 'hi', 'ho', 'hr', 'ht', 'hu', 'hy', 'hz',
  'ia', 'id', 'ie', 'ig', 'ii', 'ik', 'io', 'is', 'it', 'iu', 'ja', 'jv', 'ka', 'kg', 'ki', 'kj',
  'kk', 'kl', 'km', 'kn', 'ko', 'kr', 'ks', 'ku', 'kv', 'kw', 'ky', 'la', 'lb', 'lg', 'li', 'ln',
  'lo', 'lt', 'lu', 'lv', 'mg', 'mh', 'mi', 'mk', 'ml', 'mn', 'mr', 'ms', 'mt', 'my', 'na', 'nb',
  'nd', 'ne', 'ng', 'nl', 'nn', 'no', 'nr', 'nv', 'ny', 'oc', 'oj', 'om', 'or', 'os', 'pa', 'pi',
  'pl', 'ps', 'pt', 'qu', 'rm', 'rn', 'ro', 'ru', 'rw', 'sa', 'sc', 'sd', 'se', 'sg', 'si', 'sk',
  'sl', 'sm', 'sn', 'so', 'sq', 'sr', 'ss', 'st', 'su', 'sv', 'sw', 'ta', 'te', 'tg', 'th', 'ti',
  'tk', 'tl', 'tn', 'to', 'tr', 'ts', 'tt', 'tw', 'ty', 'ug', 'uk', 'ur', 'uz', 've', 'vi', 'vo',
  'wa', 'wo', 'xh', 'yi', 'yo', 'za', 'zh', 'zu', 'ast', 'chr', 'ckb', 'cnr', 'csb', 'gsw', 'jbo', 'kab',
  'ldn', 'lfn', 'moh', 'nds', 'pdc', 'sco', 'sma', 'smj', 'szl', 'tok', 'vai', 'xal', 'zba', 'zgh',
  'zh-CN', 'zh-HK', 'zh-TW', 'zh-YUE',
];

/**
 * English names for the codes Chromium's trimmed ICU data leaves unnamed (`Intl.DisplayNames`
 * gives the code back for these 69; Node's full ICU knows all but ldn and zba), plus the regional
 * codes, whose Intl names vary by engine. ISO 639 reference names.
 */
export const FALLBACK_NAMES: Readonly<Record<string, string>> = {
  aa: 'Afar', ab: 'Abkhazian', ae: 'Avestan', av: 'Avaric', ba: 'Bashkir', bi: 'Bislama', bo: 'Tibetan', ce: 'Chechen',
  ch: 'Chamorro', cr: 'Cree', cu: 'Church Slavic', cv: 'Chuvash', dz: 'Dzongkha', ff: 'Fula', fj: 'Fijian', gv: 'Manx',
  ho: 'Hiri Motu', hz: 'Herero', ie: 'Interlingue', ii: 'Sichuan Yi', ik: 'Inupiaq', io: 'Ido', iu: 'Inuktitut', kg: 'Kongo',
  ki: 'Kikuyu', kj: 'Kuanyama', kl: 'Kalaallisut', kr: 'Kanuri', ks: 'Kashmiri', kv: 'Komi', kw: 'Cornish', li: 'Limburgish',
  lu: 'Luba-Katanga', mh: 'Marshallese', na: 'Nauru', nd: 'North Ndebele', ng: 'Ndonga', nr: 'South Ndebele', nv: 'Navajo',
  oj: 'Ojibwa', os: 'Ossetic', pi: 'Pali', rn: 'Rundi', sc: 'Sardinian', se: 'Northern Sami', sg: 'Sango', ss: 'Swati',
  ty: 'Tahitian', ve: 'Venda', vo: 'Volapük', za: 'Zhuang', csb: 'Kashubian', gsw: 'Swiss German', jbo: 'Lojban',
  kab: 'Kabyle', ldn: 'Láadan', lfn: 'Lingua Franca Nova', moh: 'Mohawk', nds: 'Low German', pdc: 'Pennsylvania German',
  sco: 'Scots', sma: 'Southern Sami', smj: 'Lule Sami', szl: 'Silesian', tok: 'Toki Pona', vai: 'Vai', xal: 'Kalmyk',
  zba: 'Balaibalan', zgh: 'Standard Moroccan Tamazight',
  'zh-CN': 'Chinese (China)', 'zh-HK': 'Chinese (Hong Kong)', 'zh-TW': 'Chinese (Taiwan)', 'zh-YUE': 'Cantonese',
};
