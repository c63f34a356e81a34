import { scaleLinear } from 'd3';
import { axisTitle, valueGrid } from './axis';
import { formatInteger } from './format';
import { ACCENT_STROKE } from './palette';
import { el, emptyScene, pickAttrs, round, textWidth, truncate, type Pick, type Scene, type Size } from './scene';

export interface BoxDatum {
  key: string;
  label: string;
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Whisker ends (1.5 IQR, clipped to the data). */
  lo: number;
  hi: number;
  outliers: number;
  pick?: Pick;
}

export interface BoxOptions {
  valueLabel?: string;
}

const ROW = 24;
const BOX = 14;
const FONT = 11;

/**
 * Horizontal box plots, one row per group. The axis ends at the highest whisker so a few very
 * long posts do not squash every box; outliers beyond are counted at the row's end.
 */
export function boxPlotScene(data: readonly BoxDatum[], size: Size, options: BoxOptions = {}): Scene {
  const width = Math.max(240, size.width);
  if (!data.length) return emptyScene(width, size.height ?? 120);
  const labelRoom = Math.min(width * 0.3, Math.max(...data.map((d) => textWidth(d.label, FONT))) + 10);
  const x0 = round(labelRoom);
  const x1 = width - 56;
  const top = 4;
  const bottom = top + data.length * ROW;
  const x = scaleLinear().domain([0, Math.max(1, ...data.map((d) => d.hi))]).nice(5).range([x0, x1]);
  const ticks = x.ticks(5).map((t) => ({ pos: round(x(t)), label: formatInteger(t) }));
  const mid = BOX / 2;
  const rows = data.map((d, i) => {
    const y = top + i * ROW;
    const X = (v: number) => round(x(Math.min(v, x.domain()[1]!)));
    const stroke = { stroke: 'currentColor', 'stroke-opacity': 0.8 };
    const tip =
      `${d.label} (${formatInteger(d.n)} posts): min ${formatInteger(d.min)}, q1 ${round(d.q1, 1)}, median ${round(d.median, 1)}, ` +
      `q3 ${round(d.q3, 1)}, max ${formatInteger(d.max)} characters; whiskers ${formatInteger(d.lo)}–${formatInteger(d.hi)}, ${d.outliers} outliers`;
    return el('g', { class: 'box-row', transform: `translate(0,${y})`, ...pickAttrs(d.pick, `Filter by ${d.label}`) }, [
      el('text', { x: x0 - 6, y: mid, dy: '0.32em', 'text-anchor': 'end', 'font-size': FONT, fill: 'currentColor' }, truncate(d.label, labelRoom - 10, FONT)),
      el('line', { class: 'whisker', x1: X(d.lo), x2: X(d.q1), y1: mid, y2: mid, ...stroke }),
      el('line', { class: 'whisker', x1: X(d.q3), x2: X(d.hi), y1: mid, y2: mid, ...stroke }),
      el('line', { class: 'cap', x1: X(d.lo), x2: X(d.lo), y1: 3, y2: BOX - 3, ...stroke }),
      el('line', { class: 'cap', x1: X(d.hi), x2: X(d.hi), y1: 3, y2: BOX - 3, ...stroke }),
      el('rect', {
        class: 'box', x: X(d.q1), y: 0, width: round(Math.max(1, X(d.q3) - X(d.q1))), height: BOX,
        fill: 'currentColor', 'fill-opacity': 0.08, style: ACCENT_STROKE, 'stroke-width': 1.5,
      }),
      el('line', { class: 'median', x1: X(d.median), x2: X(d.median), y1: 0, y2: BOX, style: ACCENT_STROKE, 'stroke-width': 2.5 }),
      ...(d.outliers > 0
        ? [el('text', { class: 'outliers', x: x1 + 6, y: mid, dy: '0.32em', 'font-size': 10, fill: 'currentColor', 'fill-opacity': 0.7 }, `+${formatInteger(d.outliers)}`)]
        : []),
      el('title', {}, tip),
    ]);
  });
  const children = [valueGrid(ticks, 0, bottom), ...rows];
  let height = bottom + 20;
  if (options.valueLabel) {
    children.push(axisTitle(options.valueLabel, x1, bottom + 32, 'end'));
    height += 14;
  }
  return { width, height, root: el('g', { class: 'box-plot' }, children) };
}
