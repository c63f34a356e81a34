import { curveMonotoneX, extent, line, scaleLinear, scaleUtc } from 'd3';
import { axisTitle, xAxis, yAxis, type Margin } from './axis';
import { formatCount, formatMean, timeTick } from './format';
import { legend } from './legend';
import { seriesColor } from './palette';
import { el, emptyScene, round, type Pick, type Scene, type Size, type SvgNode } from './scene';
import { allIntegers, hoverColumns, isPartial, plotNote, valueTicks, xText } from './series-marks';

export interface LineSeries {
  key: string;
  label: string;
  /** [x, y] with x in ms for a time axis. Points must be in x order. */
  points: ReadonlyArray<readonly [number, number]>;
  pick?: Pick;
  color?: string;
  /** Like LinesOptions.partialFrom, for this series alone (today's line on an hour-of-day chart). */
  partialFrom?: number;
}

export interface LinesOptions {
  x: 'time' | 'linear';
  xDomain?: [number, number];
  /** Explicit ticks (e.g. hours 0, 3, …, 21). */
  xTicks?: number[];
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
  yLabel?: string;
  xLabel?: string;
  /** Height of the plot area (default 220). */
  plotHeight?: number;
  /**
   * Buckets starting at or after this x are still filling (the current minute, hour…): drawn
   * dashed and faint, never as a real drop, and named in the tooltip.
   */
  partialFrom?: number;
  /** Formats x in tooltips and the crosshair (default: the bucket's start, or the axis format). */
  hoverX?: (x: number) => string;
}

const MARGIN: Margin = { top: 16, right: 14, bottom: 24, left: 46 };

/** Shared by line and stacked-area charts: the x scale and its ticks. */
export function xScaleFor(series: readonly LineSeries[], options: LinesOptions, x0: number, x1: number) {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const [lo, hi] = options.xDomain ?? (extent(xs) as [number, number]);
  // A single x (one bucket so far) still gets a readable axis around it.
  const pad = options.x === 'time' ? 3_600_000 : 1;
  const span: [number, number] = lo === hi ? [lo - pad, hi + pad] : [lo, hi];
  if (options.x === 'time') {
    const scale = scaleUtc().domain(span).range([x0, x1]);
    const fmt = options.xFormat ?? timeTick;
    const values = options.xTicks ?? scale.ticks(Math.max(2, Math.floor((x1 - x0) / 90))).map((d) => d.getTime());
    return { span, map: (v: number) => scale(v), ticks: values.map((v) => ({ pos: round(scale(v)), label: fmt(v) })) };
  }
  const scale = scaleLinear().domain(span).range([x0, x1]);
  const fmt = options.xFormat ?? scale.tickFormat();
  const values = options.xTicks ?? scale.ticks(Math.max(2, Math.floor((x1 - x0) / 80)));
  return { span, map: (v: number) => scale(v), ticks: values.map((v) => ({ pos: round(scale(v)), label: fmt(v) })) };
}

/** Up to this many points a series shows each as a dot; up to SPARSE_LABELS in all, with its value. */
const SPARSE = 8;
const SPARSE_LABELS = 24;
/** Beyond this many points in all, only the crosshair tells values (no hit target per point). */
const MAX_POINT_TIPS = 600;

/**
 * One line per series over a shared x axis, legend below. Lines are monotone (d3's
 * curveMonotoneX): they pass through every point and never overshoot between two. Every point
 * carries a tooltip; sparse series are drawn as dots with their values.
 */
export function linesScene(series: readonly LineSeries[], size: Size, options: LinesOptions): Scene {
  const width = Math.max(240, size.width);
  const plotHeight = options.plotHeight ?? 220;
  const drawn = series.filter((s) => s.points.length > 0);
  if (!drawn.length) return emptyScene(width, plotHeight + MARGIN.top + MARGIN.bottom);
  const x0 = MARGIN.left;
  const x1 = width - MARGIN.right;
  const y0 = MARGIN.top;
  const y1 = MARGIN.top + plotHeight;
  const x = xScaleFor(drawn, options, x0, x1);
  const ymax = Math.max(1, ...drawn.flatMap((s) => s.points.map((p) => p[1])));
  const y = scaleLinear().domain([0, ymax]).nice(5).range([y1, y0]);
  const counts = allIntegers(drawn);
  const yFmt = options.yFormat ?? (counts ? formatCount : formatMean);
  const yTicks = valueTicks(y, counts, options.yFormat);
  const time = options.x === 'time';
  const xName = (v: number) => xText(v, time, options.hoverX ?? (time ? undefined : options.xFormat));
  const path = line<readonly [number, number]>()
    .x((p) => x.map(p[0]))
    .y((p) => y(p[1]))
    .curve(curveMonotoneX)
    .digits(2);
  const total = drawn.reduce((n, s) => n + s.points.length, 0);
  const partialFrom = options.partialFrom;
  let anyPartial = false;
  const lines: SvgNode[] = drawn.map((s, i) => {
    const color = s.color ?? seriesColor(i, s.key);
    const partialFrom = s.partialFrom ?? options.partialFrom;
    const last = s.points[s.points.length - 1]!;
    const done = s.points.filter((p) => !isPartial(p[0], partialFrom));
    const open = s.points.filter((p) => isPartial(p[0], partialFrom));
    if (open.length) anyPartial = true;
    const sparse = s.points.length <= SPARSE;
    const children: SvgNode[] = [el('path', { d: path(done) ?? '', fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round' })];
    if (open.length) {
      // From the last finished bucket into the one still filling: dashed, so a low count there
      // reads as "not yet", not as a drop.
      const tail = done.length ? [done[done.length - 1]!, ...open] : open;
      children.push(el('path', { class: 'partial', d: path(tail) ?? '', fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': '4 3', 'stroke-opacity': 0.6 }));
    }
    if (sparse || total <= MAX_POINT_TIPS) {
      for (const p of s.points) {
        const partial = isPartial(p[0], partialFrom);
        const tip = `${s.label}, ${xName(p[0])}: ${yFmt(p[1])}${partial ? ' (still filling)' : ''}`;
        const at = { cx: round(x.map(p[0])), cy: round(y(p[1])) };
        const dot = sparse
          ? { ...at, r: 3.5, fill: partial ? 'none' : color, stroke: color, 'stroke-width': partial ? 1.5 : 0 }
          : { ...at, r: 4, fill: 'transparent', class: 'hit' };
        children.push(el('circle', dot, [el('title', {}, tip)]));
        if (sparse && total <= SPARSE_LABELS) {
          children.push(el('text', { class: 'point-value', x: at.cx, y: round(at.cy - 7), 'text-anchor': 'middle', 'font-size': 10, fill: 'currentColor' }, yFmt(p[1])));
        }
      }
    }
    children.push(el('title', {}, `${s.label}: last ${yFmt(last[1])}${isPartial(last[0], partialFrom) ? ' (still filling)' : ''}`));
    return el('g', { class: 'series', 'data-key': s.key }, children);
  });
  const key = legend(
    drawn.map((s, i) => ({ key: s.key, label: s.label, color: s.color ?? seriesColor(i, s.key), ...(s.pick ? { pick: s.pick } : {}) })),
    x0,
    y1 + MARGIN.bottom + 6,
    x1 - x0,
  );
  const children: SvgNode[] = [yAxis(yTicks, x0, x1), xAxis(x.ticks, y1, x0, x1), el('g', { class: 'lines' }, lines), key.node];
  if (options.yLabel) children.push(axisTitle(options.yLabel, 4, 10));
  if (options.xLabel) children.push(axisTitle(options.xLabel, x1, y1 - 6, 'end'));
  if (anyPartial) children.push(plotNote('dashed: still filling', x1, 10));
  else if (drawn.every((s) => s.points.length === 1)) children.push(plotNote('one value per line so far', x1, 10));
  const scene: Scene = { width, height: y1 + MARGIN.bottom + 8 + key.height, root: el('g', { class: 'line-chart' }, children) };
  if (time) scene.xTime = { domain: x.span, range: [x0, x1], y: [y0, y1] };
  const byX = drawn.map((s) => new Map(s.points.map((p) => [p[0], p[1]])));
  const rowsAt = (v: number) =>
    drawn.flatMap((s, i) => {
      const value = byX[i]!.get(v);
      return value === undefined ? [] : [{ label: s.label, color: s.color ?? seriesColor(i, s.key), value, y: y(value) }];
    });
  scene.hover = { columns: hoverColumns(drawn.flatMap((s) => s.points.map((p) => p[0])), x.map, rowsAt, xName, yFmt, partialFrom), y: [y0, y1] };
  return scene;
}
