/** A very small SVG writer: elements as strings, attributes escaped, numbers rounded. */

export type Attrs = Record<string, string | number | undefined>;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Coordinates with two decimals: smaller files, no visible difference. */
export function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function attrText(attrs: Attrs): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/** `<name attrs>children</name>`, or `<name attrs/>` without children. Children are SVG text already. */
export function el(name: string, attrs: Attrs = {}, children?: string | string[]): string {
  const inner = Array.isArray(children) ? children.join('') : children;
  return inner === undefined || inner === '' ? `<${name}${attrText(attrs)}/>` : `<${name}${attrText(attrs)}>${inner}</${name}>`;
}

/** A text element; the string is escaped. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** A whole SVG document with a white background and a system font. */
export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return (
    el(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        width,
        height,
        viewBox: `0 0 ${num(width)} ${num(height)}`,
        'font-family': 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
        'font-size': 12,
      },
      [el('title', {}, escapeXml(title)), el('rect', { width, height, fill: '#ffffff' }), ...body],
    ) + '\n'
  );
}

/** Rough width of a label in the 12px font, for layout (no font metrics needed for our labels). */
export function textWidth(content: string, fontSize = 12): number {
  return content.length * fontSize * 0.58;
}

/** Seconds as a short label: 3 significant digits, in s, ms or µs so the number stays readable. */
export function formatSecondsShort(seconds: number): string {
  if (!(seconds > 0) || !Number.isFinite(seconds)) return String(seconds);
  if (seconds >= 1) return `${Number(seconds.toPrecision(3))} s`;
  if (seconds >= 1e-3) return `${Number((seconds * 1e3).toPrecision(3))} ms`;
  return `${Number((seconds * 1e6).toPrecision(3))} µs`;
}
