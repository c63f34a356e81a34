import type { ScaleLinear } from 'd3';
import { formatCount, formatMinute } from './format';
import { el, round, type HoverColumn, type SvgNode } from './scene';
import type { LineSeries } from './lines';

/**
 * What line and stacked-area charts share beyond the axes: value ticks a reader can trust, the
 * hover read-out, and the current bucket told apart from finished ones.
 */

/**
 * Ticks for the value axis. Counts (every value an integer) get whole-number ticks only, so a
 * small maximum never shows "2, 2, 1, 1, 0" (ticks at 0.5 steps, labels rounded); means get as
 * many decimals as the step needs.
 */
export function valueTicks(y: ScaleLinear<number, number>, counts: boolean, fmt?: (v: number) => string) {
  let values = y.ticks(5);
  if (counts) values = values.filter((v) => Number.isInteger(v));
  const step = values.length > 1 ? values[1]! - values[0]! : 1;
  const label = fmt ?? (counts || step >= 1 ? formatCount : y.tickFormat(5, ',~f'));
  return values.map((v) => ({ pos: round(y(v)), label: label(v) }));
}

export const allIntegers = (series: readonly LineSeries[]): boolean => series.every((s) => s.points.every((p) => Number.isInteger(p[1])));

/** A bucket still filling: at or after `partialFrom` (see LinesOptions). */
export const isPartial = (x: number, partialFrom: number | undefined): boolean => partialFrom !== undefined && x >= partialFrom;

/** The x of a hover column or tooltip in words: bucket start on a time axis, else the axis' own format. */
export function xText(x: number, time: boolean, fmt?: (x: number) => string): string {
  if (fmt) return fmt(x);
  return time ? formatMinute(new Date(x)) : String(x);
}

export interface HoverRowInput {
  label: string;
  color: string;
  value: number;
  /** Where the mark sits (px), for the dot on the crosshair. */
  y: number;
}

/** One column per distinct x, the values of every series there, for the crosshair. */
export function hoverColumns(
  xs: readonly number[],
  mapX: (x: number) => number,
  rowsAt: (x: number) => HoverRowInput[],
  title: (x: number) => string,
  fmt: (v: number) => string,
  partialFrom: number | undefined,
): HoverColumn[] {
  return [...new Set(xs)]
    .sort((a, b) => a - b)
    .map((x) => {
      const partial = isPartial(x, partialFrom);
      return {
        x: round(mapX(x)),
        title: `${title(x)}${partial ? ' (still filling)' : ''}`,
        rows: rowsAt(x).map((r) => ({ label: r.label, color: r.color, value: fmt(r.value), y: round(r.y) })),
      };
    });
}

/** A note inside the plot's top-right corner (kept in downloads). */
export function plotNote(text: string, x1: number, y: number): SvgNode {
  return el('text', { class: 'plot-note', x: x1, y, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor', 'fill-opacity': 0.7 }, text);
}
