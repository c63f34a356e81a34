import { curveMonotoneX, extent, line, scaleLinear, scaleUtc } from 'd3';
import { axisTitle, xAxis, yAxis, type Margin } from './axis';
import { formatCount, timeTick } from './format';
import { legend } from './legend';
import { seriesColor } from './palette';
import { el, emptyScene, pickAttrs, round, type Pick, type Scene, type Size, type SvgNode } from './scene';

export interface LineSeries {
  key: string;
  label: string;
  /** [x, y] with x in ms for a time axis. Points must be in x order. */
  points: ReadonlyArray<readonly [number, number]>;
  pick?: Pick;
  color?: string;
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

/** One line per series over a shared x axis, legend below. */
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
  const yFmt = options.yFormat ?? formatCount;
  const yTicks = y.ticks(5).map((v) => ({ pos: round(y(v)), label: yFmt(v) }));
  const path = line<readonly [number, number]>()
    .x((p) => x.map(p[0]))
    .y((p) => y(p[1]))
    .curve(curveMonotoneX)
    .digits(2);
  const lines: SvgNode[] = drawn.map((s, i) => {
    const color = s.color ?? seriesColor(i, s.key);
    const last = s.points[s.points.length - 1]!;
    const marks = s.points.length < 3 ? s.points.map((p) => el('circle', { cx: round(x.map(p[0])), cy: round(y(p[1])), r: 2.5, fill: color })) : [];
    return el('g', { class: 'series', 'data-key': s.key }, [
      el('path', { d: path(s.points) ?? '', fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round' }),
      ...marks,
      el('title', {}, `${s.label}: last ${yFmt(last[1])}`),
    ]);
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
  const scene: Scene = { width, height: y1 + MARGIN.bottom + 8 + key.height, root: el('g', { class: 'line-chart' }, children) };
  if (options.x === 'time') scene.xTime = { domain: x.span, range: [x0, x1], y: [y0, y1] };
  return scene;
}
