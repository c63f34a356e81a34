/**
 * Words, clients, hashtags and names the demo generator draws from. A handful of words per
 * language is enough: the analytics count languages, lengths and words, they never read prose.
 * Weights approximate what a big instance's federated timeline shows (English first, then German
 * and Japanese), so the demo charts look like the real thing.
 */

export interface DemoLanguage {
  /** ISO 639-1 code as Mastodon sends it in `language`. */
  code: string;
  /** Relative share of posts. */
  weight: number;
  /** false for scripts written without spaces between words (ja, zh, th). */
  spaced: boolean;
  words: readonly string[];
}

const w = (s: string): string[] => s.trim().split(/\s+/);

// English is large on purpose: it is most of the stream and the word-count charts use it.
// A few words carry characters that must be escaped in HTML (' & < > ") so consumers meet entities.
const EN = w(`
  the of and to a in is it you that he was for on are with as I his they be at one have this from
  or had by hot word but what some we can out other were all there when up use your how said an each
  she which do their time if will way about many then them write would like so these her long make
  thing see him two has look more day could go come did number sound no most people my over know
  water than call first who may down side been now find any new work part take get place made live
  where after back little only round man year came show every good me give our under name very
  through just form sentence great think say help low line differ turn cause much mean before move
  right boy old too same tell does set three want air well also play small end put home read hand
  port large spell add even land here must big high such follow act why ask men change went light
  kind off need house picture try us again animal point mother world near build self earth father
  head stand own page should country found answer school grow study still learn plant cover food sun
  four between state keep eye never last let thought city tree cross farm hard start might story saw
  far sea draw left late run don't while press close night real life few north open seem together
  next white children begin got walk example ease paper group always music those both mark often
  letter until mile river car feet care second book carry took science eat room friend began idea
  fish mountain stop once base hear horse cut sure watch color face wood main enough plain girl
  usual young ready above ever red list though feel talk bird soon body dog family direct pose leave
  song measure door product black short numeral class wind question happen complete ship area half
  rock order fire south problem piece told knew pass since top whole king space heard best hour
  better true during hundred five remember step early hold west ground interest reach fast verb sing
  listen six table travel less morning ten simple several vowel toward war lay against pattern slow
  center love person money serve appear road map rain rule govern pull cold notice voice unit power
  town fine certain fly fall lead cry dark machine note wait plan figure star box noun field rest
  correct able pound done beauty drive stood contain front teach week final gave green oh quick
  develop ocean warm free minute strong special mind behind clear tail produce fact street inch
  it's I'm can't we're that's you'll rock&roll R&D <3 -> "quoted" coffee cat release server toot
  fediverse instance timeline boost federation open-source weekend train photo garden bread
`);

/** Roughly 60 languages Mastodon users post in, with a few words each. */
export const LANGUAGES: readonly DemoLanguage[] = [
  { code: 'en', weight: 400, spaced: true, words: EN },
  { code: 'de', weight: 110, spaced: true, words: w('und die der das ist nicht ich ein mit auf heute wieder noch schon Kaffee Zug Wetter Katze gut sehr Straße Grüße schön') },
  { code: 'ja', weight: 90, spaced: false, words: w('今日 は とても いい 天気 です ね 猫 が かわいい 仕事 終わった 眠い ラーメン 食べたい 電車 遅れ てる ありがとう おはよう') },
  { code: 'fr', weight: 60, spaced: true, words: w("le la les et est pas une avec pour aujourd'hui café chat très bien merci encore beau temps train c'est ça") },
  { code: 'es', weight: 45, spaced: true, words: w('el la los y es no una con para hoy café gato muy bien gracias otra vez tiempo tren qué señor año') },
  { code: 'pt', weight: 30, spaced: true, words: w('o a os e é não uma com para hoje café gato muito bem obrigado de novo tempo ônibus coração') },
  { code: 'it', weight: 20, spaced: true, words: w('il la e è non una con per oggi caffè gatto molto bene grazie ancora tempo treno perché città') },
  { code: 'nl', weight: 20, spaced: true, words: w('de het en is niet een met voor vandaag koffie kat heel goed bedankt weer trein fiets lekker gezellig') },
  { code: 'zh', weight: 15, spaced: false, words: w('今天 天气 很 好 我 的 猫 可爱 工作 结束 了 吃饭 朋友 谢谢 早上 晚安 电脑') },
  { code: 'ko', weight: 10, spaced: true, words: w('오늘 날씨 정말 좋다 고양이 귀여워 일 끝났다 커피 친구 감사합니다 안녕하세요 지하철') },
  { code: 'ru', weight: 8, spaced: true, words: w('и в не на я что это сегодня кофе кот очень хорошо спасибо снова погода поезд город') },
  { code: 'pl', weight: 10, spaced: true, words: w('i w nie na jest to dziś kawa kot bardzo dobrze dziękuję znowu pogoda pociąg miasto') },
  { code: 'sv', weight: 8, spaced: true, words: w('och i att det är inte en med för idag kaffe katt mycket bra tack igen väder tåg') },
  { code: 'fi', weight: 6, spaced: true, words: w('ja on ei se että tänään kahvi kissa todella hyvä kiitos taas sää juna kaupunki') },
  { code: 'ca', weight: 5, spaced: true, words: w('i el la és no amb per avui cafè gat molt bé gràcies una altra vegada temps tren') },
  { code: 'eu', weight: 2, spaced: true, words: w('eta da ez bat gaur kafea katua oso ondo eskerrik asko berriz eguraldia trena') },
  { code: 'gl', weight: 2, spaced: true, words: w('e o a é non unha con para hoxe café gato moi ben grazas outra vez tempo tren') },
  { code: 'da', weight: 4, spaced: true, words: w('og i at det er ikke en med for i dag kaffe kat meget godt tak igen vejr tog') },
  { code: 'nb', weight: 3, spaced: true, words: w('og i at det er ikke en med for i dag kaffe katt veldig bra takk igjen vær tog') },
  { code: 'no', weight: 1, spaced: true, words: w('og i at det er ikke en med for kaffe katt veldig bra takk igjen') },
  { code: 'cs', weight: 4, spaced: true, words: w('a v ne na je to dnes káva kočka velmi dobře děkuji znovu počasí vlak město') },
  { code: 'uk', weight: 4, spaced: true, words: w('і в не на це що сьогодні кава кіт дуже добре дякую знову погода потяг місто') },
  { code: 'tr', weight: 3, spaced: true, words: w('ve bir bu çok iyi bugün kahve kedi teşekkürler yine hava tren şehir güzel') },
  { code: 'el', weight: 2, spaced: true, words: w('και το η είναι δεν σήμερα καφές γάτα πολύ καλά ευχαριστώ πάλι καιρός τρένο') },
  { code: 'hu', weight: 2, spaced: true, words: w('és a az nem egy ma kávé macska nagyon jó köszönöm újra idő vonat város') },
  { code: 'ro', weight: 1, spaced: true, words: w('și în nu este o azi cafea pisică foarte bine mulțumesc iar vreme tren oraș') },
  { code: 'he', weight: 1, spaced: true, words: w('ו של את זה לא היום קפה חתול מאוד טוב תודה שוב מזג רכבת') },
  { code: 'ar', weight: 2, spaced: true, words: w('و في من هذا لا اليوم قهوة قطة جدا جيد شكرا مرة أخرى الطقس قطار') },
  { code: 'fa', weight: 3, spaced: true, words: w('و در از این نه امروز قهوه گربه خیلی خوب ممنون دوباره هوا قطار') },
  { code: 'hi', weight: 0.5, spaced: true, words: w('और में है नहीं आज कॉफ़ी बिल्ली बहुत अच्छा धन्यवाद फिर मौसम ट्रेन') },
  { code: 'id', weight: 3, spaced: true, words: w('dan di yang ini tidak hari kopi kucing sangat baik terima kasih lagi cuaca kereta') },
  { code: 'th', weight: 1, spaced: false, words: w('วันนี้ อากาศ ดี มาก แมว น่ารัก กาแฟ ขอบคุณ ครับ ค่ะ รถไฟ') },
  { code: 'vi', weight: 1, spaced: true, words: w('và của là không hôm nay cà phê mèo rất tốt cảm ơn lại thời tiết tàu') },
  { code: 'eo', weight: 1.5, spaced: true, words: w('kaj la estas ne unu hodiaŭ kafo kato tre bone dankon denove vetero trajno') },
  { code: 'cy', weight: 1, spaced: true, words: w('a y yn nid heddiw coffi cath da iawn diolch eto tywydd trên dinas') },
  { code: 'ga', weight: 0.5, spaced: true, words: w('agus an is ní inniu caife cat an-mhaith go raibh maith agat arís aimsir traein') },
  { code: 'is', weight: 0.5, spaced: true, words: w('og í að það er ekki dag kaffi köttur mjög gott takk aftur veður lest') },
  { code: 'et', weight: 0.5, spaced: true, words: w('ja on ei see täna kohv kass väga hea aitäh jälle ilm rong linn') },
  { code: 'lv', weight: 0.3, spaced: true, words: w('un ir nav šodien kafija kaķis ļoti labi paldies atkal laiks vilciens') },
  { code: 'lt', weight: 0.3, spaced: true, words: w('ir yra ne šiandien kava katė labai gerai ačiū vėl oras traukinys') },
  { code: 'sk', weight: 0.5, spaced: true, words: w('a v nie na je to dnes káva mačka veľmi dobre ďakujem znova počasie vlak') },
  { code: 'sl', weight: 0.3, spaced: true, words: w('in v ne na je danes kava mačka zelo dobro hvala spet vreme vlak') },
  { code: 'hr', weight: 0.3, spaced: true, words: w('i u ne na je danas kava mačka vrlo dobro hvala opet vrijeme vlak') },
  { code: 'sr', weight: 0.3, spaced: true, words: w('и у не на је данас кафа мачка веома добро хвала опет време воз') },
  { code: 'bg', weight: 0.3, spaced: true, words: w('и в не на е днес кафе котка много добре благодаря пак времето влак') },
  { code: 'be', weight: 0.2, spaced: true, words: w('і ў не на гэта сёння кава кот вельмі добра дзякуй зноў надвор’е цягнік') },
  { code: 'ka', weight: 0.2, spaced: true, words: w('და არის არა დღეს ყავა კატა ძალიან კარგი მადლობა ისევ ამინდი მატარებელი') },
  { code: 'hy', weight: 0.1, spaced: true, words: w('և է ոչ այսօր սուրճ կատու շատ լավ շնորհակալություն նորից եղանակ գնացք') },
  { code: 'ms', weight: 0.3, spaced: true, words: w('dan di yang ini tidak hari ini kopi kucing sangat baik terima kasih lagi') },
  { code: 'tl', weight: 0.3, spaced: true, words: w('at ang ng ay hindi ngayon kape pusa napaka mabuti salamat ulit panahon tren') },
  { code: 'bn', weight: 0.2, spaced: true, words: w('এবং এই না আজ কফি বিড়াল খুব ভালো ধন্যবাদ আবার আবহাওয়া ট্রেন') },
  { code: 'ta', weight: 0.2, spaced: true, words: w('மற்றும் இது இல்லை இன்று காபி பூனை மிகவும் நல்லது நன்றி மீண்டும் வானிலை') },
  { code: 'ur', weight: 0.1, spaced: true, words: w('اور میں نہیں آج کافی بلی بہت اچھا شکریہ پھر موسم ٹرین') },
  { code: 'af', weight: 0.2, spaced: true, words: w('en die is nie een vandag koffie kat baie goed dankie weer trein stad') },
  { code: 'sq', weight: 0.1, spaced: true, words: w('dhe në nuk është sot kafe mace shumë mirë faleminderit përsëri moti tren') },
  { code: 'mk', weight: 0.1, spaced: true, words: w('и во не на е денес кафе мачка многу добро благодарам пак времето воз') },
  { code: 'kk', weight: 0.1, spaced: true, words: w('және бұл емес бүгін кофе мысық өте жақсы рахмет тағы ауа райы пойыз') },
  { code: 'la', weight: 0.2, spaced: true, words: w('et in est non hodie cattus valde bene gratias iterum tempestas urbs') },
  { code: 'oc', weight: 0.2, spaced: true, words: w('e lo la es pas uèi cafè cat fòrça plan mercés tornamai temps tren') },
  { code: 'br', weight: 0.1, spaced: true, words: w('ha an ar eo ket hiziv kafe kazh mat-tre trugarez adarre amzer tren') },
  { code: 'fy', weight: 0.1, spaced: true, words: w('en de it is net hjoed kofje kat hiel goed tankewol wer waar trein') },
  { code: 'lb', weight: 0.1, spaced: true, words: w('an den d’ ass net haut Kaffi Kaz ganz gutt merci nees Wieder Zuch') },
];

/** Client apps as `application.name`, with their website like Mastodon sends it; Web has none. */
export const APPS: ReadonlyArray<readonly [{ name: string; website: string | null }, number]> = [
  [{ name: 'Web', website: null }, 450],
  [{ name: 'Mastodon for iOS', website: 'https://app.joinmastodon.org/ios' }, 120],
  [{ name: 'Mastodon for Android', website: 'https://app.joinmastodon.org/android' }, 100],
  [{ name: 'Ivory for iOS', website: 'https://tapbots.com/ivory/' }, 70],
  [{ name: 'Tusky', website: 'https://tusky.app' }, 50],
  [{ name: 'Elk', website: 'https://elk.zone' }, 30],
  [{ name: 'Phanpy', website: 'https://phanpy.social' }, 25],
  [{ name: 'Ice Cubes', website: 'https://github.com/Dimillian/IceCubesApp' }, 25],
  [{ name: 'Moshidon', website: 'https://github.com/LucasGGamerM/moshidon' }, 12],
  [{ name: 'Megalodon', website: 'https://sk22.github.io/megalodon' }, 10],
  [{ name: 'Fedilab', website: 'https://fedilab.app' }, 12],
  [{ name: 'Mona for Mastodon', website: 'https://mastodon.social/@MonaApp' }, 8],
  [{ name: 'Toot!', website: 'https://apps.apple.com/app/toot/id1229021451' }, 6],
  [{ name: 'Tokodon', website: 'https://apps.kde.org/tokodon' }, 3],
  [{ name: 'Tuba', website: 'https://tuba.geopjr.dev/' }, 3],
  [{ name: 'Whalebird', website: 'https://whalebird.social' }, 2],
  [{ name: 'Mammoth', website: 'https://getmammoth.app' }, 6],
  [{ name: 'Trunks', website: 'https://trunks.social' }, 2],
  [{ name: 'Semaphore', website: 'https://semaphore.social' }, 2],
  [{ name: 'IFTTT', website: 'https://ifttt.com' }, 8],
  [{ name: 'Buffer', website: 'https://buffer.com' }, 8],
  [{ name: 'Zapier', website: 'https://zapier.com' }, 2],
  [{ name: 'feed2toot', website: 'https://gitlab.com/chaica/feed2toot' }, 5],
  [{ name: 'Mastodon Twitter Crossposter', website: 'https://crossposter.masto.donte.com.br' }, 3],
];

/** Clients that automated accounts use far more often than people do. */
export const BOT_APPS: ReadonlyArray<readonly [{ name: string; website: string | null }, number]> = [
  [{ name: 'feed2toot', website: 'https://gitlab.com/chaica/feed2toot' }, 30],
  [{ name: 'IFTTT', website: 'https://ifttt.com' }, 20],
  [{ name: 'Buffer', website: 'https://buffer.com' }, 10],
  [{ name: 'Zapier', website: 'https://zapier.com' }, 5],
  [{ name: 'Web', website: null }, 5],
  [{ name: 'botkit', website: 'https://botkit.fedify.dev' }, 5],
];

/**
 * Hashtags in rough popularity order (the generator samples them by zipf). Some are CamelCase,
 * as people write them; Mastodon matches tags case-insensitively.
 */
export const HASHTAGS: readonly string[] = w(`
  caturday photography fediverse mastodon news art SilentSunday MastoArt music introduction
  cats dogs nature linux opensource python rust javascript programming books science climate
  politics uspol ukpol gaming FediBlock bird birds birding flowers garden gardening food cooking
  coffee tea travel history space astronomy AI LLM privacy security infosec android apple
  MusicMonday TootFic writing poetry poem film movies tv anime manga photo photos landscape
  sunset macro streetphotography blackandwhite WorldCat dogsofmastodon CatsOfMastodon
  football soccer cycling running hiking climbing weather rain snow heatwave energy solar
  foss selfhosted homelab webdev css accessibility a11y design typography fonts fountainpen
  knitting crochet sewing woodworking 3dprinting electronics arduino raspberrypi retrocomputing
  vintage synth guitar jazz classical metal punk podcast radio bookstodon amwriting histodon
  archaeology biology ecology botany mycology fungi insects moths butterflies ornithology ocean
  physics maths mathematics academia phd teaching education library libraries museum
  Ukraine Gaza europe Berlin Paris Tokyo London NewYork Japan Deutschland Frankreich
  猫 写真 イラスト 今日の一枚 ラーメン 鉄道 カメラ 料理
  Katzen Fotografie Kunst Musik Nachrichten Fahrrad Bahn Kaffee
  chat photographie musique actualités cuisine vélo
  gato fotografía música noticias café
`);

/** Sites that statuses link to: the `card` and URL-link shapes need real-looking targets. */
export const LINK_SITES: readonly string[] = w(`
  www.theguardian.com www.bbc.co.uk github.com www.youtube.com en.wikipedia.org www.nytimes.com
  arstechnica.com www.heise.de www.lemonde.fr www3.nhk.or.jp www.spiegel.de www.elpais.com
  www.theverge.com blog.joinmastodon.org codeberg.org www.reuters.com apnews.com lwn.net
  news.ycombinator.com www.nature.com bandcamp.com www.flickr.com pixelfed.social peertube.tv
  www.tagesschau.de www.zeit.de www.corriere.it nos.nl www.asahi.com medium.com substack.com
`);

export const URL_PATH_WORDS: readonly string[] = w(`
  2024 2025 2026 news world tech science article post blog watch wiki release notes update story
  climate-report how-we-built-it open-source-funding the-fediverse-explained long-read interview
  review guide announcing-v2 notes-on-federation why-it-matters photos gallery episode-42
`);

/** First names and nouns that usernames and display names are built from. */
export const FIRST_NAMES: readonly string[] = w(`
  anna ben carla david emma felix greta hana ivan julia kai lena marco nina oscar paula quinn rosa
  sam tara ugo vera will xena yuki zoe ahmed bea chen dana eli fatima george hiro ines jonas kim
  lars maya noah olga pedro ravi sara tomas ulla vik wen yasmin zara alex charlie robin jamie sasha
  taro hanako sakura kenji mei lin jun min seo ji leon lea paul marie lukas sofia mateo lucia
`);

export const NOUNS: readonly string[] = w(`
  fox otter owl badger heron moth fern moss river cloud pixel byte kernel lambda comet nebula
  orbit tide harbor lantern garden forest meadow pebble spark ember frost maple cedar willow raven
  crow wren finch kestrel panda koala lynx wolf bear hare mole newt toad gecko squid coral kelp
  teapot muffin noodle waffle biscuit pretzel dumpling mango lemon plum fig olive basil thyme
`);

export const DISPLAY_DECORATIONS: readonly string[] = w(`
  🌻 💙 ✨ 🏳️‍🌈 🐈 🌿 🦊 📷 🎸 🚲 ☕ 🌊 🦉 🍄 🐧 🌙 ⭐ 🔭 🧶 🎨 :verified: (she/her) (he/him) (they/them)
`);

export const BOT_NAMES: readonly string[] = w(`
  news feed headlines bot weather quake alerts rss daily hourly updates digest status releases
`);

export const BOT_NOTE = 'Automated account. Posts every hour; not monitored.';

export const PROFILE_NOTES: readonly string[] = [
  'Writing about things I find interesting.',
  'Photographer & coffee drinker. Opinions are my own.',
  'Software developer. Linux, open source, bikes.',
  'Posting pictures of my cat, mostly.',
  'Researcher. Science, books and the occasional rant.',
  'Just here to hang out and talk to cool people!',
  'Artist — commissions open <3',
];
