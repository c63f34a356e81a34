import { scaleLinear } from 'd3';
import { valueGrid } from './axis';
import { formatCount } from './format';
import { ACCENT_FILL } from './palette';
import { caption, el, emptyScene, pickAttrs, round, textWidth, truncate, type Pick, type Scene, type Size } from './scene';

export interface BarDatum {
  key: string;
  label: string;
  value: number;
  /** Clicking the bar filters every chart by this. */
  pick?: Pick;
  /** Extra text after the value in the tooltip. */
  note?: string;
}

export interface BarOptions {
  format?: (n: number) => string;
  /** Title of the value axis. */
  valueLabel?: string;
  /** A note drawn under the chart (kept in downloads). */
  caption?: string;
}

const ROW = 22;
const BAR = 15;
const FONT = 11;

/** Horizontal bars, largest first as given, label left of the bar and value right of it. */
export function barScene(data: readonly BarDatum[], size: Size, options: BarOptions = {}): Scene {
  const width = Math.max(200, size.width);
  if (!data.length) return emptyScene(width, size.height ?? 120);
  const fmt = options.format ?? formatCount;
  const labelRoom = Math.min(width * 0.38, Math.max(...data.map((d) => textWidth(d.label, FONT))) + 10);
  const valueRoom = Math.max(...data.map((d) => textWidth(fmt(d.value), FONT))) + 10;
  const top = 4;
  const x0 = round(labelRoom);
  const x1 = width - valueRoom;
  const bottom = top + data.length * ROW;
  const x = scaleLinear().domain([0, Math.max(1, ...data.map((d) => d.value))]).nice(4).range([x0, x1]);
  const ticks = x.ticks(4).map((t) => ({ pos: round(x(t)), label: fmt(t) }));
  const rows = data.map((d, i) => {
    const y = top + i * ROW;
    const w = Math.max(d.value > 0 ? 1 : 0, x(d.value) - x0);
    const tip = `${d.label}: ${fmt(d.value)}${d.note ? ` ${d.note}` : ''}`;
    return el('g', { class: 'bar-row', transform: `translate(0,${y})`, ...pickAttrs(d.pick, `Filter by ${d.label}`) }, [
      el('text', { x: x0 - 6, y: BAR / 2, dy: '0.32em', 'text-anchor': 'end', 'font-size': FONT, fill: 'currentColor' }, truncate(d.label, labelRoom - 10, FONT)),
      el('rect', { class: 'bar', x: x0, y: 0, width: round(w), height: BAR, rx: 2, style: ACCENT_FILL }),
      el('text', { class: 'value', x: round(x0 + w + 4), y: BAR / 2, dy: '0.32em', 'font-size': FONT, fill: 'currentColor' }, fmt(d.value)),
      el('title', {}, tip),
    ]);
  });
  const children = [valueGrid(ticks, 0, bottom), ...rows];
  let height = bottom + 20;
  if (options.valueLabel) {
    children.push(el('text', { class: 'axis-title', x: x1, y: bottom + 32, 'text-anchor': 'end', 'font-size': FONT, fill: 'currentColor', 'fill-opacity': 0.7 }, options.valueLabel));
    height += 14;
  }
  if (options.caption) {
    const c = caption(options.caption, 4, height, width - 8);
    children.push(c.node);
    height += c.height;
  }
  return { width, height, root: el('g', { class: 'bar-chart' }, children) };
}
