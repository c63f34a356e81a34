/**
 * JSON a real server could send but JSON.stringify cannot produce from an object, such as 100,000
 * levels of `[` (stringify itself would overflow the stack). A status carries a placeholder string
 * where the raw text goes; the hosts splice the text in after serialising.
 */

const fragments = new Map<string, string>();
let next = 0;

/** A placeholder to put in a status field; the field is sent as `text`, which must be valid JSON. */
export function rawJson(text: string): string {
  const key = `@@fake-mastodon-raw-${next++}@@`;
  fragments.set(key, text);
  return key;
}

/** `json` with every quoted placeholder replaced by its raw text. */
export function spliceRaw(json: string): string {
  if (!json.includes('@@fake-mastodon-raw-')) return json;
  return json.replace(/"(@@fake-mastodon-raw-\d+@@)"/g, (whole, key: string) => fragments.get(key) ?? whole);
}

/** `depth` nested empty arrays: `[[[…]]]`. */
export function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
