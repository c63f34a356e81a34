import { formatShare } from './format';
import { ACCENT_FILL } from './palette';
import { caption, el, emptyScene, pickAttrs, round, textWidth, truncate, type Pick, type Scene, type Size, type SvgNode } from './scene';

export interface MatrixData {
  labels: readonly string[];
  /** values[row][col] in 0…1. */
  values: ReadonlyArray<ReadonlyArray<number>>;
  /** Tooltip per cell (defaults to the share). */
  titles?: ReadonlyArray<ReadonlyArray<string>>;
  picks?: ReadonlyArray<Pick | undefined>;
}

const FONT = 11;

/**
 * A square heat matrix: cell opacity is the value, the share is written in cells big enough.
 * `note` (say which measure) is drawn under it.
 */
export function matrixScene(data: MatrixData, size: Size, note = ''): Scene {
  const width = Math.max(200, size.width);
  const n = data.labels.length;
  if (!n) return emptyScene(width, size.height ?? 120);
  const labelW = Math.min(160, Math.max(...data.labels.map((l) => textWidth(l, FONT))) + 10);
  const cell = Math.max(12, Math.min(48, (width - labelW - 10) / n));
  const topRoom = round(Math.min(160, labelW) * 0.72 + 8);
  const left = round(labelW);
  const showText = cell >= 30;
  const children: SvgNode[] = [];
  data.labels.forEach((label, i) => {
    const pick = data.picks?.[i];
    const short = truncate(label, labelW - 10, FONT);
    children.push(
      el('g', { class: 'row-label', transform: `translate(${left - 6},${round(topRoom + i * cell + cell / 2)})`, ...pickAttrs(pick, `Filter by ${label}`) }, [
        el('text', { dy: '0.32em', 'text-anchor': 'end', 'font-size': FONT, fill: 'currentColor' }, short),
        el('title', {}, label),
      ]),
      el('g', { class: 'col-label', transform: `translate(${round(left + i * cell + cell / 2)},${topRoom - 6}) rotate(-40)`, ...pickAttrs(pick, `Filter by ${label}`) }, [
        el('text', { 'font-size': FONT, fill: 'currentColor' }, short),
        el('title', {}, label),
      ]),
    );
  });
  const cells: SvgNode[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = data.values[r]?.[c] ?? 0;
      const x = round(left + c * cell);
      const y = round(topRoom + r * cell);
      const title = data.titles?.[r]?.[c] ?? `${data.labels[r]} × ${data.labels[c]}: ${formatShare(v)}`;
      const parts: SvgNode[] = [
        el('rect', { x, y, width: round(cell - 1), height: round(cell - 1), style: ACCENT_FILL, 'fill-opacity': round(0.04 + 0.96 * v, 3) }),
      ];
      if (showText) {
        parts.push(
          el('text', {
            x: round(x + (cell - 1) / 2), y: round(y + (cell - 1) / 2), dy: '0.32em', 'text-anchor': 'middle', 'font-size': 10,
            ...(v > 0.55 ? { style: 'fill: var(--card)' } : { fill: 'currentColor' }),
          }, formatShare(v)),
        );
      }
      parts.push(el('title', {}, title));
      cells.push(el('g', { class: 'cell' }, parts));
    }
  }
  children.unshift(el('g', { class: 'cells' }, cells));
  let height = round(topRoom + n * cell + 8);
  if (note) {
    const c = caption(note, 4, height, width - 8);
    children.push(c.node);
    height += c.height;
  }
  return { width: Math.max(width, left + n * cell + 10), height, root: el('g', { class: 'matrix' }, children) };
}
