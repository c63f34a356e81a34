/**
 * A chart as a plain tree of SVG elements: built by pure geometry functions (scales, paths and
 * ticks from d3, no DOM), drawn by SvgScene.svelte in the page and by `toSvgString` in tests.
 * Text nodes carry text only; nothing here is ever parsed as HTML.
 */
export type AttrValue = string | number | boolean | undefined | null;

export interface SvgNode {
  tag: string;
  attrs?: Record<string, AttrValue>;
  /** Text content (for `text`, `tspan`, `title`). */
  text?: string;
  children?: SvgNode[];
}

/** What a click on an element asks for: filter every chart by this instance or language. */
export type PickKind = 'instance' | 'lang';
export interface Pick {
  kind: PickKind;
  value: string;
}

export interface Scene {
  width: number;
  height: number;
  root: SvgNode;
  /** For charts with a time axis: the x scale's domain (ms) and range (px), and the plot's top and
   * bottom (px), so a brush can cover the plot and invert its selection. */
  xTime?: { domain: [number, number]; range: [number, number]; y: [number, number] };
  /** For line and area charts: what the crosshair shows at each x, and the plot's top and bottom (px). */
  hover?: { columns: HoverColumn[]; y: [number, number] };
}

/** The values under one x of a line or area chart, for the crosshair (ChartSvg.svelte). */
export interface HoverColumn {
  /** px */
  x: number;
  title: string;
  rows: Array<{ label: string; color: string; value: string; y: number }>;
}

export interface Size {
  width: number;
  height?: number;
}

export function el(tag: string, attrs: Record<string, AttrValue> = {}, children: SvgNode[] | string = []): SvgNode {
  return typeof children === 'string' ? { tag, attrs, text: children } : { tag, attrs, children };
}

/** Attributes that make an element a filter control (ChartSvg.svelte listens for them). */
export function pickAttrs(pick: Pick | undefined, description: string): Record<string, AttrValue> {
  if (!pick) return {};
  return {
    'data-pick-kind': pick.kind,
    'data-pick-value': pick.value,
    role: 'button',
    tabindex: 0,
    // Named by its visible text (a label of its own would not contain it: axe-core
    // label-content-name-mismatch, WCAG 2.5.3); what a click does is the description.
    'aria-description': description,
    class: 'pickable',
  };
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  const v = Math.round(n * f) / f;
  return Object.is(v, -0) ? 0 : v;
};

/** Rough width of a label in px: the geometry cannot measure text without a DOM. */
export function textWidth(s: string, fontSize = 11): number {
  let w = 0;
  for (const ch of s) w += (ch.codePointAt(0) ?? 0) > 0x2e80 ? 1 : 0.6;
  return w * fontSize;
}

/** Cut to fit `maxPx`, ending in an ellipsis. */
export function truncate(s: string, maxPx: number, fontSize = 11): string {
  if (textWidth(s, fontSize) <= maxPx) return s;
  let out = '';
  for (const ch of s) {
    if (textWidth(`${out}${ch}…`, fontSize) > maxPx) break;
    out += ch;
  }
  return `${out}…`;
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

const roundInString = (s: string, digits: number): string =>
  s.replace(/-?\d+\.\d+(e-?\d+)?/g, (m) => String(round(Number(m), digits)));

function attrString(attrs: Record<string, AttrValue> | undefined, digits: number): string {
  let out = '';
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    const value = typeof v === 'number' ? String(round(v, digits)) : v === true ? '' : roundInString(v, digits);
    out += ` ${k}="${escapeXml(value)}"`;
  }
  return out;
}

/** The tree as SVG markup, numbers rounded (for snapshots and exports without a DOM). */
export function toSvgString(node: SvgNode, digits = 2, indent = ''): string {
  const open = `${indent}<${node.tag}${attrString(node.attrs, digits)}`;
  if (node.text !== undefined) return `${open}>${escapeXml(node.text)}</${node.tag}>`;
  if (!node.children?.length) return `${open}/>`;
  const inner = node.children.map((c) => toSvgString(c, digits, `${indent}  `)).join('\n');
  return `${open}>\n${inner}\n${indent}</${node.tag}>`;
}

/** A standalone SVG document for a scene. */
export function sceneToSvgString(scene: Scene, label: string, digits = 2): string {
  const root = el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: scene.width,
      height: scene.height,
      viewBox: `0 0 ${round(scene.width)} ${round(scene.height)}`,
      role: 'img',
      'aria-label': label,
    },
    [scene.root],
  );
  return toSvgString(root, digits);
}

/** "No data yet" in the middle of an empty chart. */
export function emptyScene(width: number, height: number, message = 'No data yet'): Scene {
  return {
    width,
    height,
    root: el('g', { class: 'empty' }, [
      el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', fill: 'currentColor', 'fill-opacity': 0.6, 'font-size': 12 }, message),
    ]),
  };
}

/** Words wrapped into lines of at most `maxPx` (estimated), for captions drawn inside a chart. */
export function wrapText(text: string, maxPx: number, fontSize = 11): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, fontSize) > maxPx) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * A note that belongs to the picture (what is counted, which measure), so it survives a PNG or
 * SVG download. Returns the node and the height it takes.
 */
export function caption(text: string, x: number, y: number, width: number): { node: SvgNode; height: number } {
  const lines = wrapText(text, width, 10);
  return {
    node: el(
      'g',
      { class: 'caption', 'font-size': 10, fill: 'currentColor', 'fill-opacity': 0.7 },
      lines.map((line, i) => el('text', { x, y: y + 10 + i * 13 }, line)),
    ),
    height: lines.length * 13 + 4,
  };
}
