/** Two small SVG charts, written as markup: horizontal bars with their values, and a line over steps. */

const SVG = 'http://www.w3.org/2000/svg';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface Bar {
  label: string;
  value: number;
  /** The text printed after the bar (e.g. "12.3 ms"). */
  text: string;
}

/** Horizontal bars, one per row, scaled to the largest value; the text of each at its end. */
export function barChart(bars: readonly Bar[], width = 560, labelWidth = Math.min(360, width / 2)): string {
  const row = 22;
  const room = width - labelWidth - 90;
  const max = Math.max(...bars.map((b) => b.value), Number.MIN_VALUE);
  const rows = bars.map((b, i) => {
    const y = i * row;
    const w = Math.max(1, (b.value / max) * room);
    return (
      `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escape(b.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" class="bar"/>` +
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" class="value">${escape(b.text)}</text>`
    );
  });
  return `<svg xmlns="${SVG}" width="${width}" height="${bars.length * row}" class="bars">${rows.join('')}</svg>`;
}

export interface Series {
  points: ReadonlyArray<readonly [number, number]>;
  className: string;
}

/** Lines over x from 0 to `xMax`, y from 0 to the largest value, with the axes' ends labelled. */
export function lineChart(series: readonly Series[], xMax: number, yLabel: (y: number) => string, width = 560, height = 180): string {
  const pad = { left: 52, right: 10, top: 10, bottom: 24 };
  const yMax = Math.max(Number.MIN_VALUE, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const sx = (x: number) => pad.left + (x / Math.max(xMax, 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - (y / yMax) * (height - pad.top - pad.bottom);
  const lines = series.map((s) => {
    const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    return `<path d="${d}" class="${s.className}"/>`;
  });
  const axes =
    `<path d="M${pad.left},${pad.top}V${height - pad.bottom}H${width - pad.right}" class="axis"/>` +
    `<text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end">${escape(yLabel(yMax))}</text>` +
    `<text x="${pad.left - 4}" y="${height - pad.bottom}" text-anchor="end">${escape(yLabel(0))}</text>` +
    `<text x="${pad.left}" y="${height - 6}">0</text>` +
    `<text x="${width - pad.right}" y="${height - 6}" text-anchor="end">step ${xMax}</text>`;
  return `<svg xmlns="${SVG}" width="${width}" height="${height}" class="lines">${axes}${lines.join('')}</svg>`;
}
