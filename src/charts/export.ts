import { downloadBytes } from '../ui/download';

/**
 * PNG and SVG downloads of a chart as it looks on screen: the SVG is cloned with each element's
 * computed style written inline (so CSS variables, `currentColor` and the theme survive outside
 * the page) on a background of the card colour; the PNG is that SVG drawn onto a canvas.
 */
const STYLE_PROPS = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linejoin', 'stroke-linecap',
  'opacity', 'color', 'font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline', 'visibility', 'display',
];
const SVG_NS = 'http://www.w3.org/2000/svg';

export function styledSvgString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  const computed = new Map<Element, CSSStyleDeclaration>();
  src.forEach((node, i) => {
    const target = dst[i];
    if (!target || node.tagName.toLowerCase() === 'title') return;
    const cs = getComputedStyle(node);
    computed.set(node, cs);
    // Only what differs from the parent: the rest is inherited, which keeps the file small.
    const parent = node === svg ? undefined : computed.get(node.parentElement as Element);
    const style = STYLE_PROPS.filter((p) => {
      const v = cs.getPropertyValue(p);
      if (p === 'display') return v === 'none';
      if (p === 'opacity') return v !== '1';
      return !parent || v !== parent.getPropertyValue(p);
    })
      .map((p) => `${p}:${cs.getPropertyValue(p)}`)
      .join(';');
    if (style) target.setAttribute('style', style);
    else target.removeAttribute('style');
    target.removeAttribute('class');
    target.removeAttribute('tabindex');
    if (node !== svg) target.removeAttribute('xmlns');
  });
  // Interaction layers (the brush) are not part of the picture; nor are the framework's markers.
  for (const n of clone.querySelectorAll('[data-export="skip"]')) n.remove();
  const walker = document.createTreeWalker(clone, NodeFilter.SHOW_COMMENT);
  const comments: Node[] = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  for (const c of comments) c.parentNode?.removeChild(c);
  xmlSafe(clone);
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('width', String(Math.round(width)));
  clone.setAttribute('height', String(Math.round(height)));
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', getComputedStyle(svg).getPropertyValue('--card').trim() || '#ffffff');
  clone.insertBefore(bg, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/**
 * Characters XML 1.0 does not allow (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/FFFF).
 * An app name or hashtag from a stranger may hold them; the DOM takes them, but XMLSerializer
 * writes them as they are, so the file would not parse and the PNG (drawn from it) would fail.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Replaces them with U+FFFD in every text node and attribute of the clone; all other text is kept. */
function xmlSafe(root: Element): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    const text = n.nodeValue ?? '';
    const safe = text.replace(NOT_XML, '\uFFFD');
    if (safe !== text) n.nodeValue = safe;
  }
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const a of [...el.attributes]) {
      const safe = a.value.replace(NOT_XML, '\uFFFD');
      if (safe !== a.value) el.setAttribute(a.name, safe);
    }
  }
}

export function downloadSvg(svg: SVGSVGElement, name: string): void {
  downloadBytes(new TextEncoder().encode(styledSvgString(svg)), `${name}.svg`, 'image/svg+xml');
}

export async function svgToPngBytes(svgText: string, width: number, height: number, scale = 2): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the canvas gave no PNG');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function downloadPng(svg: SVGSVGElement, name: string): Promise<void> {
  const { width, height } = svg.getBoundingClientRect();
  const scale = Math.max(2, globalThis.devicePixelRatio || 1);
  downloadBytes(await svgToPngBytes(styledSvgString(svg), width, height, scale), `${name}.png`, 'image/png');
}

/** A file name from a chart title and the time: `tootscope-client-apps-2026-11-23T12-00-00`. */
export function exportName(title: string, at = new Date()): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `tootscope-${slug}-${at.toISOString().slice(0, 19).replace(/:/g, '-')}`;
}
