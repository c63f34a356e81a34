import { area, scaleLinear, stack, stackOrderNone, stackOffsetNone } from 'd3';
import { axisTitle, xAxis, yAxis, type Margin } from './axis';
import { formatCount } from './format';
import { legend } from './legend';
import { xScaleFor, type LineSeries, type LinesOptions } from './lines';
import { seriesColor } from './palette';
import { el, emptyScene, round, type Scene, type Size, type SvgNode } from './scene';

const MARGIN: Margin = { top: 16, right: 14, bottom: 24, left: 46 };

type Row = { x: number } & Record<string, number>;

/**
 * Series stacked in the order given (the first at the bottom). A series missing at some x counts
 * as 0 there, so series need not share every x.
 */
export function stackedAreaScene(series: readonly LineSeries[], size: Size, options: LinesOptions): Scene {
  const width = Math.max(240, size.width);
  const plotHeight = options.plotHeight ?? 220;
  const drawn = series.filter((s) => s.points.length > 0);
  if (!drawn.length) return emptyScene(width, plotHeight + MARGIN.top + MARGIN.bottom);
  const keys = drawn.map((_, i) => `s${i}`);
  const byX = new Map<number, Row>();
  drawn.forEach((s, i) => {
    for (const [px, py] of s.points) {
      let row = byX.get(px);
      if (!row) {
        row = { x: px } as Row;
        for (const k of keys) row[k] = 0;
        byX.set(px, row);
      }
      row[keys[i]!] = (row[keys[i]!] ?? 0) + py;
    }
  });
  const rows = [...byX.values()].sort((a, b) => a.x - b.x);
  const layers = stack<Row>().keys(keys).order(stackOrderNone).offset(stackOffsetNone)(rows);
  const x0 = MARGIN.left;
  const x1 = width - MARGIN.right;
  const y0 = MARGIN.top;
  const y1 = MARGIN.top + plotHeight;
  const x = xScaleFor(drawn, options, x0, x1);
  const top = Math.max(1, ...layers.flatMap((l) => l.map((p) => p[1])));
  const y = scaleLinear().domain([0, top]).nice(5).range([y1, y0]);
  const yFmt = options.yFormat ?? formatCount;
  const yTicks = y.ticks(5).map((v) => ({ pos: round(y(v)), label: yFmt(v) }));
  const shape = area<[number, number] & { data: Row }>()
    .x((p) => x.map(p.data.x))
    .y0((p) => y(p[0]))
    .y1((p) => y(p[1]))
    .digits(2);
  const areas: SvgNode[] = layers.map((layer, i) => {
    const s = drawn[i]!;
    const color = s.color ?? seriesColor(i, s.key);
    return el('g', { class: 'series', 'data-key': s.key }, [
      el('path', { d: shape(layer as never) ?? '', fill: color, 'fill-opacity': 0.85, stroke: color, 'stroke-width': 0.5 }),
      el('title', {}, s.label),
    ]);
  });
  const key = legend(
    drawn.map((s, i) => ({ key: s.key, label: s.label, color: s.color ?? seriesColor(i, s.key), ...(s.pick ? { pick: s.pick } : {}) })),
    x0,
    y1 + MARGIN.bottom + 6,
    x1 - x0,
  );
  const children: SvgNode[] = [el('g', { class: 'areas' }, areas), yAxis(yTicks, x0, x1), xAxis(x.ticks, y1, x0, x1), key.node];
  if (options.yLabel) children.push(axisTitle(options.yLabel, 4, 10));
  const scene: Scene = { width, height: y1 + MARGIN.bottom + 8 + key.height, root: el('g', { class: 'stacked-area' }, children) };
  if (options.x === 'time') scene.xTime = { domain: x.span, range: [x0, x1], y: [y0, y1] };
  return scene;
}
