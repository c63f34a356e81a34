/** Numbers as the reader's browser writes them (issue 18: they were fixed to en-US). */
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A plain integer with thousands separators ("2,900", never "2.9k"). */
export const formatInt = (n: number) => integer.format(n);
export const formatDecimal = (n: number) => oneDecimal.format(n);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${oneDecimal.format(v)} ${units[i]}`;
}

/**
 * Below this many toots the browser's usage figure is mostly fixed cost (the page's own files,
 * empty stores, DuckDB's spill space), so a per-toot figure would say 15,531 B/toot at 24 toots.
 */
export const PER_TOOT_FROM = 10_000;

/** " (110 B/toot)" once it means something, else nothing. */
export const perTootText = (bytes: number, toots: number): string =>
  toots >= PER_TOOT_FROM && bytes > 0 ? ` (${integer.format(bytes / toots)} B/toot)` : '';
