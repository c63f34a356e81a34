import { LANGUAGE_CODES } from '../core/language-codes';

/** `(code, name)` for the `language` table, named by the browser (`Intl.DisplayNames`). */
export function languageNames(): Array<[string, string]> {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
  } catch {
    names = null;
  }
  const out: Array<[string, string]> = [['unknown', 'unknown']];
  for (const code of LANGUAGE_CODES) {
    let name = code;
    try {
      name = names?.of(code) ?? code;
    } catch {
      name = code;
    }
    out.push([code, name]);
  }
  return out;
}
