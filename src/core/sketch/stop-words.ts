import { ENGLISH_STOP_WORDS } from './tokenize';

/**
 * Stop words. English applies to every language (English words are everywhere in the
 * fediverse); the three largest other European languages of the stream add their own short list.
 * Lists are part of the stored format: stop words are counted apart from the sketch.
 */
const EXTRA_STOP_WORDS: Record<string, string> = {
  de:
    'aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dem den der des die dies doch du ein eine ' +
    'einem einen einer er es für hab habe hat hatte ich ihr im in ist ja jetzt kann kein keine man mein mich mir mit nach ' +
    'nicht noch nur ob oder schon sehr sein sich sie sind so und uns von vor war was weil wenn wer wie wir wird wo zu zum zur',
  fr:
    "à au aux avec ce ces c'est dans de des du elle en est et eu il ils j'ai je la le les leur lui ma mais me même mes moi " +
    "mon ne nos notre nous on ou par pas pour qu'il que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y",
  es:
    'a al algo como con cuando de del el ella en era es esa ese eso esta este esto está ha hay la las le les lo los me mi muy ' +
    'más ni no nos o para pero por que qué se si sin sobre su sus te tu un una uno y ya yo',
};
const stopSets = new Map<string, ReadonlySet<string>>();
/** The stop words counted apart (exactly) for `lang`. */
export function stopWordsFor(lang: string): ReadonlySet<string> {
  let set = stopSets.get(lang);
  if (!set) {
    const extra = EXTRA_STOP_WORDS[lang];
    set = extra ? new Set([...ENGLISH_STOP_WORDS, ...extra.split(' ')]) : ENGLISH_STOP_WORDS;
    stopSets.set(lang, set);
  }
  return set;
}
