import { schemeTableau10 } from 'd3';

/**
 * Tableau 10 without its grey: mid-luminance hues that stay readable on the light and the dark
 * card. `other` is always grey so it never looks like an instance.
 */
export const SERIES_COLORS: readonly string[] = schemeTableau10.filter((c) => c !== '#bab0ac');
export const OTHER_COLOR = '#9a9aa8';

export function seriesColor(index: number, key?: string): string {
  if (key === 'other') return OTHER_COLOR;
  return SERIES_COLORS[((index % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length]!;
}

/** The theme's accent (single-series charts) as a style, so it follows light and dark. */
export const ACCENT_FILL = 'fill: var(--accent)';
export const ACCENT_STROKE = 'stroke: var(--accent)';
