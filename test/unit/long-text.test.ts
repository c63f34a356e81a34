import { describe, expect, it } from 'vitest';
import { nativeQuery } from './helpers/native-duckdb';
import { exportedFile, openLocalData as open, posts, write } from './helpers/local-data';
import type { LocalData } from '../../src/store/local-data';

/**
 * Texts of 4 KiB or more live in `toot_store.long_text`, in parts DuckDB keeps as ordinary strings
 * (core/sql/schema.ts says why); every reader sees them in `mastodon_text`, through edits,
 * compaction, reload and export.
 */
const TEXTS = {
  justShort: 'a'.repeat(4095), // 4,095 bytes
  justLong: 'b'.repeat(4096),
  longInBytes: '€'.repeat(1366), // 1,366 characters, 4,098 bytes
  huge: 'word '.repeat(14_000).trim(), // 69,999 characters
  plain: 'a short post',
};
const content = (text: string) => `<p>${text}</p>`;

async function texts(data: LocalData) {
  const rows = await data.db.query<{ uri: string; text: string; short: number; long: number; parts: number; widest: number }>(
    `SELECT s.uri, t.mastodon_text AS text, strlen(s.mastodon_text)::INTEGER AS short, coalesce(strlen(array_to_string(s.long_text, '')), 0)::INTEGER AS long,
       len(s.long_text)::INTEGER AS parts, coalesce(list_max([strlen(p) FOR p IN s.long_text]), 0)::INTEGER AS widest
     FROM toot_store s JOIN toots t USING (uri) ORDER BY s.uri`,
  );
  // Every part is an ordinary string for DuckDB (under its 4 KiB string block limit), 1,000 characters but the last.
  for (const r of rows) {
    expect(r.widest).toBeLessThan(4096);
    expect(r.parts).toBe(r.long ? Math.ceil([...r.text].length / 1000) : 0);
  }
  return rows.map(({ uri, text, short, long }) => ({ uri, text, short, long }));
}

async function exportedTexts(data: LocalData) {
  return nativeQuery<{ uri: string; text: string }>(`SELECT uri, mastodon_text AS text FROM read_parquet('${await exportedFile(data)}') ORDER BY uri`);
}

describe('long texts', () => {
  it('are stored apart from short ones and read back whole, through edits, compaction, reload and export', async () => {
    const one = await open('long-text-1');
    const base = posts(5, 3);
    const names = Object.keys(TEXTS) as Array<keyof typeof TEXTS>;
    const statuses = base.map((s, i) => ({ ...s, content: content(TEXTS[names[i]!]), spoiler_text: '', edited_at: null }));
    await write(one, statuses);

    const expected = new Map(statuses.map((s, i) => [s.uri, TEXTS[names[i]!]]));
    const placed = (rows: Awaited<ReturnType<typeof texts>>) =>
      rows.map((r) => ({ text: r.text === expected.get(r.uri), long: r.long > 0, short: r.short > 0 }));
    const first = await texts(one);
    expect(first.map((r) => r.text.length).sort((a, b) => a - b)).toEqual([12, 1366, 4095, 4096, 69_999]);
    for (const r of first) {
      expect(r.text).toBe(expected.get(r.uri));
      // Exactly one of the two columns holds the text, by its UTF-8 length.
      const bytes = new TextEncoder().encode(r.text).length;
      expect([r.short, r.long]).toEqual(bytes >= 4096 ? [0, bytes] : [bytes, 0]);
    }

    // Edits move a text across the threshold both ways.
    const edited = '2026-01-05T00:00:00.000Z';
    const [plain, huge] = [statuses[4]!, statuses[3]!];
    await write(one, [
      { ...plain, content: content(TEXTS.huge), edited_at: edited },
      { ...huge, content: content(TEXTS.plain), edited_at: edited },
    ]);
    expected.set(plain.uri, TEXTS.huge);
    expected.set(huge.uri, TEXTS.plain);
    const afterEdit = await texts(one);
    expect(afterEdit.every((r) => r.text === expected.get(r.uri))).toBe(true);
    expect(afterEdit.find((r) => r.uri === plain.uri)).toMatchObject({ short: 0, long: TEXTS.huge.length });
    expect(afterEdit.find((r) => r.uri === huge.uri)).toMatchObject({ short: TEXTS.plain.length, long: 0 });

    // A compaction writes whole texts to the segment; a reload splits them again.
    expect(await one.compact()).toBe(true);
    const two = await open('long-text-1');
    expect(placed(await texts(two))).toEqual(placed(afterEdit));
    expect((await texts(two)).map((r) => r.text)).toEqual(afterEdit.map((r) => r.text));

    // The export (copied segment bytes plus a newly encoded tail) has every text whole.
    await write(two, [{ ...posts(1, 4)[0]!, content: content(TEXTS.longInBytes), spoiler_text: '' }]);
    const out = await exportedTexts(two);
    const inApp = await two.db.query<{ uri: string; text: string }>('SELECT uri, mastodon_text AS text FROM toots ORDER BY uri');
    expect(out).toEqual(inApp);
    expect(out.length).toBe(6);
  });

  it('keep the same counts and lengths in the summary as the texts themselves', async () => {
    const one = await open('long-text-2');
    const statuses = posts(3, 3).map((s, i) => ({ ...s, content: content([TEXTS.justLong, TEXTS.longInBytes, TEXTS.plain][i]!), spoiler_text: '' }));
    await write(one, statuses);
    const [r] = await one.db.query<{ n: number; chars: number; stored: number }>(
      'SELECT count(*)::INTEGER AS n, sum(length(mastodon_text))::INTEGER AS chars, sum(characters)::INTEGER AS stored FROM toots',
    );
    expect(r).toEqual({ n: 3, chars: 4096 + 1366 + 12, stored: 4096 + 1366 + 12 });
  });
});
