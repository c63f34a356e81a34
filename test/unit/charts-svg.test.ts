process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { barScene } from '../../src/charts/bar';
import { boxPlotScene } from '../../src/charts/boxplot';
import * as data from '../../src/charts/chart-data';
import { linesScene } from '../../src/charts/lines';
import { matrixScene } from '../../src/charts/matrix';
import { OTHER_COLOR, SERIES_COLORS } from '../../src/charts/palette';
import { emptyScene, sceneToSvgString, toSvgString, truncate, type Scene, type SvgNode } from '../../src/charts/scene';
import { stackedAreaScene } from '../../src/charts/stacked-area';
import { cellText, tableToCsv } from '../../src/charts/table';
import { Throttle, type Clock } from '../../src/charts/throttle';
import type { ActivityRow, AppRow, HourlyRow, LanguageRow, LengthRow, OverlapRow } from '../../src/core/sql/charts';

/**
 * Every chart's geometry as an SVG string, from the same rows the SQL tests expect. The files
 * under __snapshots__/charts-svg open in a browser, so a change in a drawing can be looked at.
 */
const snap = (name: string, scene: Scene, label: string) =>
  expect(sceneToSvgString(scene, label)).toMatchFileSnapshot(`./__snapshots__/charts-svg/${name}.svg`);

function all(node: SvgNode, pred: (n: SvgNode) => boolean, out: SvgNode[] = []): SvgNode[] {
  if (pred(node)) out.push(node);
  for (const c of node.children ?? []) all(c, pred, out);
  return out;
}
const picks = (scene: Scene) => all(scene.root, (n) => n.attrs?.['data-pick-kind'] !== undefined).map((n) => `${n.attrs!['data-pick-kind']}:${n.attrs!['data-pick-value']}`);

const A = 'https://a.example';
const B = 'https://b.example';
const C = 'https://c.example';
const ms = (iso: string) => Date.parse(iso);

const APPS: AppRow[] = [{ app: 'Web', toots: 7 }, { app: 'Tusky', toots: 3 }, { app: 'Elk', toots: 2 }, { app: 'Ivory', toots: 1 }];
const LANGUAGES: LanguageRow[] = [
  { code: 'en', name: 'English', toots: 12, share: 0.4 }, { code: 'de', name: 'German', toots: 6, share: 0.2 },
  { code: 'es', name: 'Spanish', toots: 6, share: 0.2 }, { code: 'ja', name: 'Japanese', toots: 2, share: 2 / 30 },
  { code: 'unknown', name: 'unknown', toots: 1, share: 1 / 30 },
];
const HOURLY: HourlyRow[] = [
  ...[3, 4, 0, 3].map((toots, i) => ({ day: '2026-11-23', hour: 10 + i, toots })),
  ...[2, 5, 1, 0, 6, 4].map((toots, i) => ({ day: '2026-11-24', hour: 9 + i, toots })),
];
const days = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26'].map((d) => ms(`${d}T00:00:00Z`));
const ACTIVITY: ActivityRow[] = [
  ...days.map((t, i) => ({ t, series: 'b.example', rank: 1, toots: [3, 10, 0, 0][i]!, rolling: [3, 6.5, 5, 0][i]! })),
  ...days.map((t, i) => ({ t, series: 'a.example', rank: 2, toots: [5, 4, 0, 1][i]!, rolling: [5, 4.5, 2, 0.5][i]! })),
  ...days.map((t, i) => ({ t, series: 'other', rank: 3, toots: [2, 4, 0, 1][i]!, rolling: [2, 3, 2, 0.5][i]! })),
];
const LENGTHS: LengthRow[] = [
  { code: 'es', name: 'Spanish', toots: 6, min: 10, q1: 22.5, median: 35, q3: 47.5, max: 200, whisker_lo: 10, whisker_hi: 50, outliers: 1 },
  { code: 'ja', name: 'Japanese', toots: 2, min: 4, q1: 4.25, median: 4.5, q3: 4.75, max: 5, whisker_lo: 4, whisker_hi: 5, outliers: 0 },
];
const sizes: Record<string, number> = { [A]: 16, [B]: 11, [C]: 8 };
const both = (a: string, b: string) => (a === b ? sizes[a]! : 2);
const OVERLAP: OverlapRow[] = [A, B, C].flatMap((a) =>
  [A, B, C].map((b) => {
    const n = both(a, b);
    return { a, b, na: sizes[a]!, nb: sizes[b]!, both: n, jaccard: n / (sizes[a]! + sizes[b]! - n), overlap_min: n / Math.min(sizes[a]!, sizes[b]!) };
  }),
);

describe('bar chart', () => {
  it('draws client apps', async () => {
    const scene = barScene(data.appBars(APPS), { width: 480 }, { valueLabel: 'toots', caption: 'Non-bot toots. Only posts local to the instance they were collected from carry an app.' });
    expect(all(scene.root, (n) => n.tag === 'rect' && n.attrs?.class === 'bar').map((n) => n.attrs!.width)).toEqual([367.85, 157.65, 105.1, 52.55]);
    await snap('apps-bar', scene, 'Bar chart: client apps');
  });

  it('draws languages, each bar a language filter', async () => {
    const scene = barScene(data.languageBars(LANGUAGES), { width: 520 });
    expect(picks(scene)).toEqual(['lang:en', 'lang:de', 'lang:es', 'lang:ja', 'lang:unknown']);
    await snap('languages-bar', scene, 'Bar chart: languages');
  });

  it('writes untrusted labels as text, escaped', () => {
    const svg = sceneToSvgString(barScene([{ key: 'x', label: '<script>alert("x")</script>&', value: 3 }], { width: 400 }), 'a "quoted" label');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
    expect(svg).toContain('aria-label="a &quot;quoted&quot; label"');
  });

  it('says so when there is nothing to draw', () => {
    expect(toSvgString(barScene([], { width: 300 }).root)).toContain('No data yet');
    expect(emptyScene(300, 100).height).toBe(100);
  });
});

describe('line charts', () => {
  it('draws one line per day over the hours', async () => {
    const scene = linesScene(data.hourlySeries(HOURLY), { width: 560 }, { x: 'linear', xDomain: [0, 23], xTicks: [0, 6, 12, 18], xFormat: (h) => `${h}:00`, yLabel: 'toots' });
    expect(all(scene.root, (n) => n.tag === 'path')).toHaveLength(2);
    expect(scene.xTime).toBeUndefined();
    await snap('hourly-lines', scene, 'Line chart: toots per hour');
  });

  it('draws the rolling mean per instance on a UTC time axis a brush can invert', async () => {
    const scene = linesScene(data.activitySeries(ACTIVITY, 'rolling'), { width: 640 }, { x: 'time', yLabel: 'mean toots per day' });
    expect(scene.xTime).toEqual({ domain: [days[0], days[3]], range: [46, 626], y: [16, 236] });
    expect(picks(scene)).toEqual(['instance:b.example', 'instance:a.example']);
    const strokes = all(scene.root, (n) => n.tag === 'path').map((n) => n.attrs!.stroke);
    expect(strokes).toEqual([SERIES_COLORS[0], SERIES_COLORS[1], OTHER_COLOR]);
    await snap('activity-lines', scene, 'Line chart: activity');
  });
});

describe('stacked area', () => {
  it('stacks the counts per instance, first series at the bottom', async () => {
    const scene = stackedAreaScene(data.activitySeries(ACTIVITY, 'toots'), { width: 640 }, { x: 'time', yLabel: 'toots per day' });
    expect(all(scene.root, (n) => n.tag === 'path')).toHaveLength(3);
    // The y axis reaches the busiest day's total (10 + 4 + 4 = 18 → nice 20).
    expect(all(scene.root, (n) => n.tag === 'text' && n.text === '20')).toHaveLength(1);
    await snap('activity-stacked', scene, 'Stacked area chart: activity');
  });
});

describe('box plot', () => {
  it('draws quartiles, median and whiskers, and counts outliers beyond the axis', async () => {
    const scene = boxPlotScene(data.lengthBoxes(LENGTHS), { width: 520 }, { valueLabel: 'characters' });
    expect(all(scene.root, (n) => n.attrs?.class === 'outliers').map((n) => n.text)).toEqual(['+1']);
    expect(picks(scene)).toEqual(['lang:es', 'lang:ja']);
    await snap('lengths-box', scene, 'Box plot: toot length');
  });
});

describe('overlap matrix', () => {
  it('shades each pair by the chosen share and writes it in the cell', async () => {
    const m = data.overlapMatrix(OVERLAP, 'jaccard');
    expect(m.labels).toEqual(['a.example', 'b.example', 'c.example']);
    expect(m.values[0]).toEqual([1, 0.08, 2 / 22]);
    const scene = matrixScene(m, { width: 420 }, `Cell: ${data.MEASURE_TEXT.jaccard}.`);
    expect(all(scene.root, (n) => n.tag === 'text' && n.attrs?.['text-anchor'] === 'middle').map((n) => n.text)).toEqual([
      '100%', '8.0%', '9.1%', '8.0%', '100%', '12%', '9.1%', '12%', '100%',
    ]);
    expect(picks(scene)).toContain(`instance:${A}`);
    // The measure is named inside the picture, so a downloaded PNG still says which it is.
    expect(toSvgString(scene.root)).toContain('|A∩B| / |A∪B| (Jaccard)');
    await snap('overlap-matrix', scene, 'Matrix: federation overlap');
    expect(data.overlapMatrix(OVERLAP, 'overlap_min').values[0]).toEqual([1, 2 / 11, 0.25]);
  });
});

describe('tables and helpers', () => {
  it('makes a CSV and text cells from the same rows', () => {
    const t = data.languageTable(LANGUAGES.slice(0, 2));
    expect(tableToCsv(t)).toBe('Language,Code,Toots,Share\r\nEnglish,en,12,0.4\r\nGerman,de,6,0.2\r\n');
    expect(cellText(0.4, t.columns[3])).toBe('40%');
    expect(cellText(null, t.columns[0])).toBe('–');
    expect(tableToCsv({ columns: [{ label: 'a' }], rows: [{ cells: ['x, "y"'] }] })).toBe('a\r\n"x, ""y"""\r\n');
    expect(data.overlapTable(OVERLAP).rows.map((r) => r.cells.slice(0, 2))).toEqual([['a.example', 'b.example'], ['a.example', 'c.example'], ['b.example', 'c.example']]);
  });

  it('truncates labels with an ellipsis', () => {
    expect(truncate('mastodon.social', 1000)).toBe('mastodon.social');
    expect(truncate('a-very-long-instance-name.example', 60)).toBe('a-very-l…');
  });
});

describe('Throttle', () => {
  function fakeClock() {
    let now = 0;
    let timers: Array<{ at: number; fn: () => void; id: number }> = [];
    let next = 1;
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, wait) => {
        const id = next++;
        timers.push({ at: now + wait, fn, id });
        return id;
      },
      clearTimeout: (id) => {
        timers = timers.filter((t) => t.id !== id);
      },
    };
    const flush = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    const advance = async (to: number) => {
      await flush();
      for (;;) {
        const due = timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
        await flush();
      }
      now = to;
    };
    return { clock, advance };
  }

  /** A throttle on the fake clock over a task that records its starts and runs until released. */
  function recordingThrottle(busyShare?: number) {
    const { clock, advance } = fakeClock();
    const starts: number[] = [];
    let done: () => void = () => undefined;
    const t = new Throttle(() => {
      starts.push(clock.now());
      return new Promise<void>((r) => (done = r));
    }, 1000, { clock, busyShare });
    return { t, starts, advance, release: () => done() };
  }

  it('runs at most once a second however often data arrives, and never twice at once', async () => {
    const { t, starts, advance, release } = recordingThrottle();
    t.request();
    await advance(0);
    for (let at = 100; at <= 900; at += 100) {
      await advance(at);
      t.request();
    }
    await advance(1500);
    expect(starts).toEqual([0]); // still running: the requests wait
    release();
    await advance(1500);
    expect(starts).toEqual([0, 1500]);
    release();
    await advance(1600);
    t.request();
    await advance(2400);
    expect(starts).toEqual([0, 1500]);
    await advance(2500);
    expect(starts).toEqual([0, 1500, 2500]);
    release();
    await advance(2600);
    // An urgent request (a filter click) does not wait for the second to pass.
    t.request(true);
    await advance(2600);
    expect(starts).toEqual([0, 1500, 2500, 2600]);
    release();
    await advance(3000);
    expect(t.idle).toBe(true);
    t.dispose();
    t.request(true);
    await advance(9000);
    expect(starts).toHaveLength(4);
  });

  it('waits twice as long as a slow run took when capped at a third of the time, except when urgent', async () => {
    const { t, starts, advance, release } = recordingThrottle(1 / 3);
    t.request();
    await advance(0);
    await advance(3000);
    t.request();
    release(); // ran 3 s: the next may start 6 s after its end
    await advance(8999);
    expect(starts).toEqual([0]);
    await advance(9000);
    expect(starts).toEqual([0, 9000]);
    await advance(9100);
    release(); // ran 100 ms: the one-second interval rules again
    t.request();
    await advance(9999);
    expect(starts).toEqual([0, 9000]);
    await advance(10_000);
    expect(starts).toEqual([0, 9000, 10_000]);
    await advance(12_000);
    t.request();
    release(); // ran 2 s, but a filter click does not wait
    t.request(true);
    await advance(12_000);
    expect(starts).toEqual([0, 9000, 10_000, 12_000]);
    release();
    t.dispose();
    expect(() => new Throttle(async () => undefined, 1000, { busyShare: 0 })).toThrow(RangeError);
  });
});

describe('a single time bucket', () => {
  it('gets an axis an hour either side, which a brush can still invert', () => {
    const t = ms('2026-11-23T12:04:00Z');
    const scene = linesScene([{ key: 'a', label: 'a', points: [[t, 5]] }], { width: 400 }, { x: 'time' });
    expect(scene.xTime?.domain).toEqual([t - 3_600_000, t + 3_600_000]);
    expect(all(scene.root, (n) => n.tag === 'circle')).toHaveLength(1);
  });
});
