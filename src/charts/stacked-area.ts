import { area, scaleLinear, stack, stackOrderNone, stackOffsetNone } from 'd3';
import { axisTitle, xAxis, yAxis, type Margin } from './axis';
import { formatCount, formatMean } from './format';
import { allIntegers, hoverColumns, isPartial, plotNote, valueTicks, xText } from './series-marks';
import { legend } from './legend';
import { xScaleFor, type LineSeries, type LinesOptions } from './lines';
import { seriesColor } from './palette';
import { el, emptyScene, round, type Scene, type Size, type SvgNode } from './scene';

const MARGIN: Margin = { top: 16, right: 14, bottom: 24, left: 46 };
/** Beyond this many values in all, only the crosshair tells them (no hit target per value). */
const MAX_POINT_TIPS = 600;

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
  const counts = allIntegers(drawn);
  const yFmt = options.yFormat ?? (counts ? formatCount : formatMean);
  const yTicks = valueTicks(y, counts, options.yFormat);
  const time = options.x === 'time';
  const xName = (v: number) => xText(v, time, options.hoverX ?? (time ? undefined : options.xFormat));
  const partialFrom = options.partialFrom;
  const shape = area<[number, number] & { data: Row }>()
    .x((p) => x.map(p.data.x))
    .y0((p) => y(p[0]))
    .y1((p) => y(p[1]))
    .digits(2);
  const tips = rows.length * drawn.length <= MAX_POINT_TIPS;
  let anyPartial = false;
  const areas: SvgNode[] = layers.map((layer, i) => {
    const s = drawn[i]!;
    const color = s.color ?? seriesColor(i, s.key);
    const points = [...layer] as Array<[number, number] & { data: Row }>;
    const done = points.filter((p) => !isPartial(p.data.x, partialFrom));
    const open = points.filter((p) => isPartial(p.data.x, partialFrom));
    const children: SvgNode[] = [el('path', { d: shape(done) ?? '', fill: color, 'fill-opacity': 0.85, stroke: color, 'stroke-width': 0.5 })];
    if (open.length) {
      // The bucket still filling, faint and dashed: its lower total is "not yet", not a drop.
      anyPartial = true;
      const tail = done.length ? [done[done.length - 1]!, ...open] : open;
      children.push(el('path', { class: 'partial', d: shape(tail) ?? '', fill: color, 'fill-opacity': 0.3, stroke: color, 'stroke-width': 1, 'stroke-dasharray': '4 3' }));
    }
    if (tips) {
      for (const p of points) {
        const value = p.data[keys[i]!] ?? 0;
        const partial = isPartial(p.data.x, partialFrom);
        const tip = `${s.label}, ${xName(p.data.x)}: ${yFmt(value)} (total ${yFmt(p[1])})${partial ? ' (still filling)' : ''}`;
        children.push(el('circle', { class: 'hit', cx: round(x.map(p.data.x)), cy: round(y(p[1])), r: 4, fill: 'transparent' }, [el('title', {}, tip)]));
      }
    }
    children.push(el('title', {}, s.label));
    return el('g', { class: 'series', 'data-key': s.key }, children);
  });
  const key = legend(
    drawn.map((s, i) => ({ key: s.key, label: s.label, color: s.color ?? seriesColor(i, s.key), ...(s.pick ? { pick: s.pick } : {}) })),
    x0,
    y1 + MARGIN.bottom + 6,
    x1 - x0,
  );
  const children: SvgNode[] = [el('g', { class: 'areas' }, areas), yAxis(yTicks, x0, x1), xAxis(x.ticks, y1, x0, x1), key.node];
  if (options.yLabel) children.push(axisTitle(options.yLabel, 4, 10));
  if (anyPartial) children.push(plotNote('faint: still filling', x1, 10));
  const scene: Scene = { width, height: y1 + MARGIN.bottom + 8 + key.height, root: el('g', { class: 'stacked-area' }, children) };
  if (time) scene.xTime = { domain: x.span, range: [x0, x1], y: [y0, y1] };
  const rowAt = new Map(rows.map((r, j) => [r.x, j]));
  const rowsAt = (v: number) => {
    const j = rowAt.get(v)!;
    // Top of the stack first, as the areas read from the top down.
    return layers
      .map((layer, i) => ({ label: drawn[i]!.label, color: drawn[i]!.color ?? seriesColor(i, drawn[i]!.key), value: rows[j]![keys[i]!] ?? 0, y: y(layer[j]![1]) }))
      .reverse()
      .concat([{ label: 'total', color: 'currentColor', value: layers[layers.length - 1]![j]![1], y: y(layers[layers.length - 1]![j]![1]) }]);
  };
  scene.hover = { columns: hoverColumns(rows.map((r) => r.x), x.map, rowsAt, xName, yFmt, partialFrom), y: [y0, y1] };
  return scene;
}
