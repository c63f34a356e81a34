import { FALLBACK_NAMES, LANGUAGE_CODES } from '../core/language-codes';

/** What we ask of `Intl.DisplayNames` (tests pass one that knows nothing, as a trimmed ICU might). */
export type NameSource = Pick<Intl.DisplayNames, 'of'> | null;

function browserNames(): NameSource {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
  } catch {
    return null;
  }
}

/** A code's English name: the browser's, else our fallback's, else the code itself. Never empty. */
export function languageName(code: string, names: NameSource = browserNames()): string {
  let name: string | undefined;
  try {
    name = names?.of(code);
  } catch {
    name = undefined;
  }
  // DisplayNames echoes the code (any case) when it has no name for it.
  if (name && name.toLowerCase() !== code.toLowerCase()) return name;
  return FALLBACK_NAMES[code] ?? (code || 'unknown');
}

/** `(code, name)` for the `language` table. */
export function languageNames(names: NameSource = browserNames()): Array<[string, string]> {
  return [['unknown', 'unknown'], ...LANGUAGE_CODES.map((code): [string, string] => [code, languageName(code, names)])];
}
