process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import * as data from '../../src/charts/chart-data';
import { linesScene, type LineSeries } from '../../src/charts/lines';
import type { Scene, SvgNode } from '../../src/charts/scene';
import { stackedAreaScene } from '../../src/charts/stacked-area';
import type { ActivityRow } from '../../src/core/sql/charts';

/**
 * Issue 17, "wrong or misleading on screen": what the line and stacked-area geometry must never
 * tell a reader — repeated tick labels, humps the data does not have, the bucket still filling
 * drawn as a drop, a lone dot without its value, a mark without its exact value on hover.
 */

function all(node: SvgNode, pred: (n: SvgNode) => boolean, out: SvgNode[] = []): SvgNode[] {
  if (pred(node)) out.push(node);
  for (const c of node.children ?? []) all(c, pred, out);
  return out;
}
const yLabels = (scene: Scene) =>
  all(scene.root, (n) => n.tag === 'g' && n.attrs?.class === 'axis axis-y').flatMap((g) => all(g, (n) => n.tag === 'text').map((t) => t.text));
const titles = (scene: Scene) => all(scene.root, (n) => n.tag === 'circle').flatMap((c) => (c.children ?? []).filter((t) => t.tag === 'title').map((t) => t.text));
/** The numbers of a path of M, L and C commands: x, y, x, y… */
const coords = (d: unknown) => (String(d).match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
const MIN = 60_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');
const minutes = (values: number[]): Array<[number, number]> => values.map((v, i) => [T0 + i * MIN, v]);

describe('value axis', () => {
  it('counts get whole-number ticks, each label once', () => {
    const lines = linesScene([{ key: 'a', label: 'a', points: minutes([2, 1, 2, 0, 1]) }], { width: 500 }, { x: 'time' });
    expect(yLabels(lines)).toEqual(['0', '1', '2']);
    const stacked = stackedAreaScene(
      [{ key: 'a', label: 'a', points: minutes([1, 0, 1]) }, { key: 'b', label: 'b', points: minutes([1, 1, 0]) }],
      { width: 500 },
      { x: 'time' },
    );
    expect(yLabels(stacked)).toEqual(['0', '1', '2']);
  });

  it('means get the decimals their step needs, never two equal labels', () => {
    const scene = linesScene([{ key: 'a', label: 'a', points: minutes([0.5, 1.25, 2.25]) }], { width: 500 }, { x: 'time' });
    const labels = yLabels(scene);
    expect(labels).toEqual(['0', '0.5', '1', '1.5', '2', '2.5']);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('lines', () => {
  it('never overshoot the data between points (monotone, not a spline)', () => {
    const values = [0, 10, 10, 0, 0, 5, 4, 9];
    const scene = linesScene([{ key: 'a', label: 'a', points: minutes(values) }], { width: 500 }, { x: 'time' });
    const d = String(all(scene.root, (n) => n.tag === 'path')[0]!.attrs!.d);
    // Every y in the path (control points included) lies between the lowest and highest point.
    const ys = coords(d).filter((_, i) => i % 2 === 1);
    const dots = all(scene.root, (n) => n.tag === 'circle').map((c) => Number(c.attrs!.cy));
    expect(ys.length).toBeGreaterThan(values.length);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(Math.min(...dots) - 0.01);
    expect(Math.max(...ys)).toBeLessThanOrEqual(Math.max(...dots) + 0.01);
  });
});

describe('the bucket still filling', () => {
  const rows: ActivityRow[] = [0, 1, 2, 3].map((i) => ({ t: T0 + i * MIN, series: 'a.example', rank: 1, toots: [430, 428, 433, 190][i]!, rolling: [430, 429, 430.3, 350][i]! }));
  // 12:03:20: the 12:03 minute has a third of its posts so far.
  const from = () => data.partialFrom(1, 0, T0 + 3 * MIN + 20_000);

  it('is every bucket whose end has not passed', () => {
    expect(from()).toBe(T0 + 2 * MIN + 20_001);
    expect(data.partialFrom(1, 0, T0 + 3 * MIN)).toBe(T0 + 2 * MIN + 1); // 12:02 ended at 12:03:00
    expect(data.partialFrom(60, 60, T0)).toBe(T0 + 1); // one hour ahead, hour buckets
  });

  it('is dashed in the line view, and its point says so', () => {
    const scene = linesScene(data.activitySeries(rows, 'rolling'), { width: 500 }, { x: 'time', partialFrom: from() });
    const [solid, dashed] = all(scene.root, (n) => n.tag === 'path');
    expect(solid!.attrs!.class).toBeUndefined();
    expect(dashed!.attrs!.class).toBe('partial');
    expect(dashed!.attrs!['stroke-dasharray']).toBeTruthy();
    // The solid line ends at the last finished minute; the dashed one runs from there on.
    const xsOf = (d: unknown) => coords(d).filter((_, i) => i % 2 === 0);
    const lastX = scene.hover!.columns.at(-1)!.x;
    const beforeX = scene.hover!.columns.at(-2)!.x;
    expect(Math.max(...xsOf(solid!.attrs!.d))).toBe(beforeX);
    expect([Math.min(...xsOf(dashed!.attrs!.d)), Math.max(...xsOf(dashed!.attrs!.d))]).toEqual([beforeX, lastX]);
    expect(titles(scene)).toContain('a.example, 2026-11-23 12:03: 350 (still filling)');
    expect(all(scene.root, (n) => n.attrs?.class === 'plot-note').map((n) => n.text)).toEqual(['dashed: still filling']);
    expect(scene.hover!.columns.at(-1)!.title).toBe('2026-11-23 12:03 (still filling)');
  });

  it('is faint in the stacked view, not a drop from 433 to 190', () => {
    const scene = stackedAreaScene(data.activitySeries(rows, 'toots'), { width: 500 }, { x: 'time', partialFrom: from() });
    const paths = all(scene.root, (n) => n.tag === 'path');
    expect(paths.map((p) => p.attrs!.class)).toEqual([undefined, 'partial']);
    expect(paths[1]!.attrs!['fill-opacity']).toBeLessThan(paths[0]!.attrs!['fill-opacity'] as number);
    expect(titles(scene)).toContain('a.example, 2026-11-23 12:03: 190 (total 190) (still filling)');
  });

  it('is not marked when every bucket has ended', () => {
    const scene = linesScene(data.activitySeries(rows, 'rolling'), { width: 500 }, { x: 'time', partialFrom: data.partialFrom(1, 0, T0 + 10 * MIN) });
    expect(all(scene.root, (n) => n.attrs?.class === 'partial')).toHaveLength(0);
  });
});

describe('sparse charts', () => {
  it('draw a lone value as a dot with its number and say why there is no line', () => {
    const hourly = data.hourlySeries([{ day: '2026-11-23', hour: 14, toots: 7 }]);
    const scene = linesScene(hourly, { width: 500 }, { x: 'linear', xDomain: [0, 23], xFormat: (h) => `${h}:00` });
    expect(all(scene.root, (n) => n.tag === 'circle')).toHaveLength(1);
    expect(all(scene.root, (n) => n.attrs?.class === 'point-value').map((n) => n.text)).toEqual(['7']);
    expect(titles(scene)).toEqual(['2026-11-23, 14:00: 7']);
    expect(all(scene.root, (n) => n.attrs?.class === 'plot-note').map((n) => n.text)).toEqual(['one value per line so far']);
  });

  it('draw three keyword buckets as dots with values on the line', () => {
    const hour = 3_600_000;
    const series = data.keywordSeries([0, 1, 2].map((i) => ({ t: T0 + i * hour, keyword: 'coffee', toots: [3, 1, 4][i]! })));
    const scene = linesScene(series, { width: 500 }, { x: 'time' });
    expect(all(scene.root, (n) => n.tag === 'circle').map((c) => c.attrs!.fill)).toHaveLength(3);
    expect(all(scene.root, (n) => n.attrs?.class === 'point-value').map((n) => n.text)).toEqual(['3', '1', '4']);
  });
});

describe('hover', () => {
  const series: LineSeries[] = [
    { key: 'a', label: 'a.example', points: minutes(Array.from({ length: 30 }, (_, i) => i % 7)) },
    { key: 'b', label: 'b.example', points: minutes(Array.from({ length: 30 }, (_, i) => (i * 3) % 5)) },
  ];

  it('gives every point of a line a tooltip with its exact value, and the crosshair every x', () => {
    const scene = linesScene(series, { width: 600 }, { x: 'time' });
    expect(titles(scene)).toHaveLength(60);
    expect(titles(scene)).toContain('b.example, 2026-11-23 12:04: 2');
    expect(scene.hover!.columns).toHaveLength(30);
    expect(scene.hover!.columns[4]!.title).toBe('2026-11-23 12:04');
    expect(scene.hover!.columns[4]!.rows.map((r) => `${r.label} ${r.value}`)).toEqual(['a.example 4', 'b.example 2']);
  });

  it('gives every layer of a stacked area its value and the total', () => {
    const scene = stackedAreaScene(series, { width: 600 }, { x: 'time' });
    expect(titles(scene)).toHaveLength(60);
    expect(scene.hover!.columns[4]!.rows.map((r) => `${r.label} ${r.value}`)).toEqual(['b.example 2', 'a.example 4', 'total 6']);
  });
});

describe('hour of day', () => {
  it("draws today's current hour as still filling, earlier days' same hour as finished", () => {
    const open = data.openHour(60, Date.parse('2026-11-24T13:20:00Z')); // 14:20 an hour east of UTC
    expect(open).toEqual({ day: '2026-11-24', hour: 14 });
    const rows = [
      ...[12, 13, 14].map((hour) => ({ day: '2026-11-23', hour, toots: 5 })),
      ...[12, 13, 14].map((hour) => ({ day: '2026-11-24', hour, toots: hour === 14 ? 1 : 6 })),
    ];
    const scene = linesScene(data.hourlySeries(rows, open), { width: 500 }, { x: 'linear', xDomain: [0, 23], xFormat: (h) => `${h}:00` });
    expect(all(scene.root, (n) => n.attrs?.class === 'partial')).toHaveLength(1);
    expect(titles(scene).filter((t) => t?.includes('still filling'))).toEqual(['2026-11-24, 14:00: 1 (still filling)']);
  });
});
