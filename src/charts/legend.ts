import { el, pickAttrs, textWidth, truncate, type Pick, type SvgNode } from './scene';

export interface LegendItem {
  key: string;
  label: string;
  color: string;
  pick?: Pick;
}

const ROW = 16;
const FONT = 11;

/** Swatches and labels flowing left to right in rows within `width`. */
export function legend(items: readonly LegendItem[], x0: number, y0: number, width: number): { node: SvgNode; height: number } {
  let x = 0;
  let y = 0;
  const children: SvgNode[] = [];
  for (const item of items) {
    const label = truncate(item.label, Math.min(220, width - 20), FONT);
    const w = 14 + textWidth(label, FONT) + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      y += ROW;
    }
    children.push(
      el('g', { transform: `translate(${x},${y})`, ...pickAttrs(item.pick, `Filter by ${item.label}`) }, [
        el('rect', { width: 10, height: 10, y: -9, rx: 2, fill: item.color }),
        el('text', { x: 14, 'font-size': FONT, fill: 'currentColor' }, label),
        el('title', {}, item.label),
      ]),
    );
    x += w;
  }
  const height = items.length ? y + ROW : 0;
  return { node: el('g', { class: 'legend', transform: `translate(${x0},${y0 + 10})` }, children), height };
}
