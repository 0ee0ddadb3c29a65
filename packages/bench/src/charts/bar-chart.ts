import { autoScale } from './scale.js';
import { strategyColor } from './palette.js';
import { el, formatSecondsShort, svgDocument, text, textWidth } from './svg.js';

export interface Bar {
  label: string;
  /** Median seconds (the bar). */
  seconds: number;
  /** Fastest and slowest run, drawn as a whisker. */
  min?: number;
  max?: number;
  /** The lecture's figure for the same strategy, drawn as an outlined bar beneath. */
  lectureSeconds?: number;
}

export interface BarChartSpec {
  title: string;
  subtitle?: string;
  bars: Bar[];
}

const WIDTH = 820;
const BAR = 20;
const LECTURE_BAR = 11;

/**
 * Horizontal bars, one per strategy: ours solid (median, whisker from fastest to slowest run),
 * the lecture's figure outlined beneath when it has one. Log scale when the values span more
 * than a factor of 30, as a Python loop beside a vectorized kernel does.
 */
export function barChart(spec: BarChartSpec): string {
  const hasLecture = spec.bars.some((b) => b.lectureSeconds !== undefined);
  const labelWidth = Math.min(300, Math.max(90, ...spec.bars.map((b) => textWidth(b.label) + 14)));
  const left = labelWidth;
  const right = WIDTH - 90;
  const top = 58 + (spec.subtitle ? 16 : 0);
  const rowHeight = BAR + (hasLecture ? LECTURE_BAR + 4 : 0) + 12;
  const plotHeight = spec.bars.length * rowHeight;
  const height = top + plotHeight + 48;

  const values = spec.bars.flatMap((b) => [b.seconds, b.min ?? b.seconds, b.max ?? b.seconds, b.lectureSeconds ?? b.seconds]);
  const scale = autoScale(values, left, right);
  const x0 = scale.at(scale.ticks[0]!);
  const body: string[] = [];

  body.push(text(12, 22, spec.title, { 'font-size': 15, 'font-weight': 600 }));
  if (spec.subtitle) body.push(text(12, 40, spec.subtitle, { fill: '#555555' }));
  // Legend.
  const ly = top - 14;
  const ours = 'convlab, this machine: median, whisker fastest to slowest run';
  body.push(el('rect', { x: 12, y: ly - 9, width: 14, height: 10, fill: '#555555' }));
  body.push(text(32, ly, ours, { fill: '#333333' }));
  if (hasLecture) {
    const lx = 32 + textWidth(ours) + 24;
    body.push(el('rect', { x: lx, y: ly - 9, width: 14, height: 10, fill: 'none', stroke: '#555555', 'stroke-dasharray': '3 2' }));
    body.push(text(lx + 20, ly, 'the lecture (numpy/scipy, 2016)', { fill: '#333333' }));
  }

  // Grid and axis.
  for (const t of scale.ticks) {
    const x = scale.at(t);
    body.push(el('line', { x1: x, y1: top, x2: x, y2: top + plotHeight, stroke: '#e3e3e3' }));
    body.push(text(x, top + plotHeight + 16, formatSecondsShort(t), { 'text-anchor': 'middle', fill: '#555555', 'font-size': 11 }));
  }
  body.push(el('line', { x1: x0, y1: top + plotHeight, x2: right, y2: top + plotHeight, stroke: '#999999' }));
  body.push(
    text((left + right) / 2, top + plotHeight + 36, scale.log ? 'seconds (log scale)' : 'seconds', {
      'text-anchor': 'middle',
      fill: '#555555',
    }),
  );

  spec.bars.forEach((bar, i) => {
    const y = top + i * rowHeight + 6;
    const colour = strategyColor(bar.label, i);
    body.push(text(left - 8, y + BAR / 2 + 4, bar.label, { 'text-anchor': 'end' }));
    const end = scale.at(bar.seconds);
    body.push(el('rect', { x: x0, y, width: Math.max(1, end - x0), height: BAR, fill: colour }));
    if (bar.min !== undefined && bar.max !== undefined && bar.max > bar.min) {
      const a = scale.at(bar.min);
      const b = scale.at(bar.max);
      const mid = y + BAR / 2;
      body.push(el('path', { d: `M${a} ${mid}H${b}M${a} ${mid - 4}V${mid + 4}M${b} ${mid - 4}V${mid + 4}`, stroke: '#222222', fill: 'none' }));
    }
    body.push(text(Math.max(end, scale.at(bar.max ?? bar.seconds)) + 6, y + BAR / 2 + 4, formatSecondsShort(bar.seconds)));
    if (bar.lectureSeconds !== undefined) {
      const ly2 = y + BAR + 3;
      const lend = scale.at(bar.lectureSeconds);
      body.push(
        el('rect', {
          x: x0,
          y: ly2,
          width: Math.max(1, lend - x0),
          height: LECTURE_BAR,
          fill: 'none',
          stroke: colour,
          'stroke-dasharray': '3 2',
        }),
      );
      body.push(text(lend + 6, ly2 + LECTURE_BAR - 1, `lecture ${formatSecondsShort(bar.lectureSeconds)}`, { fill: '#555555', 'font-size': 11 }));
    }
  });

  return svgDocument(WIDTH, height, spec.title, body);
}
