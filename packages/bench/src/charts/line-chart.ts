import { autoScale } from './scale.js';
import { strategyColor } from './palette.js';
import { el, formatSecondsShort, num, svgDocument, text, textWidth } from './svg.js';

export interface LineSeries {
  name: string;
  points: Array<{ x: number; y: number }>;
}

/** A row of coloured marks under the plot: which series each x goes to (the fastest, a model's choice). */
export interface Strip {
  label: string;
  values: Array<{ x: number; series: string }>;
}

export interface LineChartSpec {
  title: string;
  subtitle?: string;
  xLabel: string;
  /** Seconds against x, one line per strategy (or any positive quantity, with yLabel and yFormat). */
  series: LineSeries[];
  /** The y axis' name (default "seconds"); " (log scale)" is appended when the scale is logarithmic. */
  yLabel?: string;
  /** Tick labels of the y axis (default: seconds, as "2 ms"). */
  yFormat?: (y: number) => string;
  strips?: Strip[];
}

const WIDTH = 820;
const PLOT_HEIGHT = 300;

/**
 * Time against a swept size, one line per strategy; strips below mark the winner and a model's
 * choice. With yLabel and yFormat, any positive quantity against x (training curves per epoch).
 */
export function lineChart(spec: LineChartSpec): string {
  const strips = spec.strips ?? [];
  const stripLabelWidth = Math.max(0, ...strips.map((s) => textWidth(s.label) + 24));
  const left = Math.max(84, stripLabelWidth);
  const right = WIDTH - 150;
  const top = 50 + (spec.subtitle ? 16 : 0);
  const bottom = top + PLOT_HEIGHT;
  const height = bottom + 46 + strips.length * 22 + 10;

  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const xMin = xs[0] ?? 0;
  const xMax = xs[xs.length - 1] ?? 1;
  const xAt = (x: number): number => (xMax === xMin ? (left + right) / 2 : left + ((right - left) * (x - xMin)) / (xMax - xMin));
  const yScale = autoScale(
    spec.series.flatMap((s) => s.points.map((p) => p.y)),
    bottom,
    top,
  );
  const body: string[] = [];
  const colour = new Map(spec.series.map((s, i) => [s.name, strategyColor(s.name, i)]));

  body.push(text(12, 22, spec.title, { 'font-size': 15, 'font-weight': 600 }));
  if (spec.subtitle) body.push(text(12, 40, spec.subtitle, { fill: '#555555' }));

  for (const t of yScale.ticks) {
    const y = yScale.at(t);
    body.push(el('line', { x1: left, y1: y, x2: right, y2: y, stroke: '#e3e3e3' }));
    body.push(text(left - 6, y + 4, (spec.yFormat ?? formatSecondsShort)(t), { 'text-anchor': 'end', fill: '#555555', 'font-size': 11 }));
  }
  for (const x of xs) {
    const px = xAt(x);
    body.push(el('line', { x1: px, y1: bottom, x2: px, y2: bottom + 4, stroke: '#999999' }));
    body.push(text(px, bottom + 16, String(x), { 'text-anchor': 'middle', fill: '#555555', 'font-size': 11 }));
  }
  body.push(el('line', { x1: left, y1: bottom, x2: right, y2: bottom, stroke: '#999999' }));
  body.push(el('line', { x1: left, y1: top, x2: left, y2: bottom, stroke: '#999999' }));
  body.push(text((left + right) / 2, bottom + 32, spec.xLabel, { 'text-anchor': 'middle', fill: '#555555' }));
  body.push(
    text(16, (top + bottom) / 2, `${spec.yLabel ?? 'seconds'}${yScale.log ? ' (log scale)' : ''}`, {
      'text-anchor': 'middle',
      fill: '#555555',
      transform: `rotate(-90 16 ${num((top + bottom) / 2)})`,
    }),
  );

  spec.series.forEach((series, i) => {
    const c = colour.get(series.name)!;
    const points = [...series.points].sort((a, b) => a.x - b.x);
    const d = points.map((p, k) => `${k === 0 ? 'M' : 'L'}${num(xAt(p.x))} ${num(yScale.at(p.y))}`).join('');
    body.push(el('path', { d, fill: 'none', stroke: c, 'stroke-width': 2 }));
    for (const p of points) body.push(el('circle', { cx: xAt(p.x), cy: yScale.at(p.y), r: 3, fill: c }));
    const ly = top + 8 + i * 18;
    body.push(el('line', { x1: right + 16, y1: ly, x2: right + 36, y2: ly, stroke: c, 'stroke-width': 2 }));
    body.push(text(right + 42, ly + 4, series.name));
  });

  strips.forEach((strip, i) => {
    const y = bottom + 46 + i * 22;
    body.push(text(left - 8, y + 4, strip.label, { 'text-anchor': 'end', fill: '#333333' }));
    for (const v of strip.values) {
      const c = colour.get(v.series) ?? strategyColor(v.series);
      body.push(el('rect', { x: xAt(v.x) - 7, y: y - 7, width: 14, height: 14, rx: 2, fill: c }, el('title', {}, v.series)));
    }
  });

  return svgDocument(WIDTH, height, spec.title, body);
}
