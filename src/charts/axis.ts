import { el, textWidth, type SvgNode } from './scene';

export interface Tick {
  /** Position in px along the axis. */
  pos: number;
  label: string;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

const FONT = 11;

/** Labels at the ends are anchored inwards when centring them would run past the margins. */
function anchorFor(t: Tick, x0: number, x1: number): 'start' | 'middle' | 'end' {
  const half = textWidth(t.label, FONT) / 2;
  if (t.pos + half > x1 + 12) return 'end';
  if (t.pos - half < x0 - 40) return 'start';
  return 'middle';
}

/**
 * Every k-th tick when the labels would run into each other (hour-of-day on a phone read
 * "12:0015:00"): the axis thins its labels to fit rather than overlap.
 */
export function thinTicks(ticks: readonly Tick[]): Tick[] {
  if (ticks.length < 3) return [...ticks];
  const widest = Math.max(...ticks.map((t) => textWidth(t.label, FONT))) + 8;
  let gap = Infinity;
  for (let i = 1; i < ticks.length; i++) gap = Math.min(gap, Math.abs(ticks[i]!.pos - ticks[i - 1]!.pos));
  const k = gap > 0 ? Math.ceil(widest / gap) : ticks.length;
  return k <= 1 ? [...ticks] : ticks.filter((_, i) => i % k === 0);
}

/** Horizontal axis at `y` from `x0` to `x1`, ticks pointing down, labels below. */
export function xAxis(ticks: readonly Tick[], y: number, x0: number, x1: number): SvgNode {
  return el('g', { class: 'axis axis-x', 'font-size': FONT, fill: 'currentColor' }, [
    el('line', { x1: x0, x2: x1, y1: y, y2: y, stroke: 'currentColor', 'stroke-opacity': 0.5 }),
    ...thinTicks(ticks).map((t) =>
      el('g', { transform: `translate(${t.pos},${y})` }, [
        el('line', { y2: 4, stroke: 'currentColor', 'stroke-opacity': 0.5 }),
        el('text', { y: 15, 'text-anchor': anchorFor(t, x0, x1) }, t.label),
      ]),
    ),
  ]);
}

/** Vertical axis at `x`, labels to the left, light grid lines across to `gridTo`. */
export function yAxis(ticks: readonly Tick[], x: number, gridTo: number): SvgNode {
  return el('g', { class: 'axis axis-y', 'font-size': FONT, fill: 'currentColor' }, [
    ...ticks.map((t) =>
      el('g', { transform: `translate(0,${t.pos})` }, [
        el('line', { class: 'grid', x1: x, x2: gridTo, stroke: 'currentColor', 'stroke-opacity': 0.12 }),
        el('text', { x: x - 6, dy: '0.32em', 'text-anchor': 'end' }, t.label),
      ]),
    ),
  ]);
}

/** Vertical grid + labels for a horizontal value axis (bars, box plots) at the bottom. */
export function valueGrid(ticks: readonly Tick[], y0: number, y1: number): SvgNode {
  return el('g', { class: 'axis axis-x', 'font-size': FONT, fill: 'currentColor' }, [
    ...thinTicks(ticks).map((t) =>
      el('g', { transform: `translate(${t.pos},0)` }, [
        el('line', { class: 'grid', y1: y0, y2: y1, stroke: 'currentColor', 'stroke-opacity': 0.12 }),
        el('text', { y: y1 + 14, 'text-anchor': 'middle' }, t.label),
      ]),
    ),
  ]);
}

/** A title for the value axis, in the muted text colour. */
export function axisTitle(text: string, x: number, y: number, anchor: 'start' | 'middle' | 'end' = 'start'): SvgNode {
  return el('text', { class: 'axis-title', x, y, 'text-anchor': anchor, 'font-size': FONT, fill: 'currentColor', 'fill-opacity': 0.7 }, text);
}
