// A small SVG line chart for training curves: several series against the epoch, an optional
// logarithmic y axis (errors fall over decades), dashed reference lines, a legend on the right.

const WIDTH = 820;
const PLOT_HEIGHT = 300;
const MARGIN = { left: 70, right: 24, top: 56 };

const escapeXml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const round = (v) => String(Math.round(v * 100) / 100);

function el(name, attrs, children = '') {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? round(v) : escapeXml(v)}"`)
    .join('');
  return children ? `<${name}${a}>${children}</${name}>` : `<${name}${a}/>`;
}
const text = (x, y, s, attrs = {}) => el('text', { x, y, ...attrs }, escapeXml(s));

/** Tick values: 1-2-5 steps on a linear axis, 1-2-5 per decade on a log axis. */
function ticks(lo, hi, log) {
  const out = [];
  if (log) {
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      }
    }
    return out;
  }
  const raw = (hi - lo) / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/**
 * spec: { title, subtitle?, xLabel, yLabel, logY?, yFormat?(v), series: [{ name, color, dash?, points: [{x, y}] }],
 *         references?: [{ y, label, color?, align?: 'left' | 'right', below?: boolean }] }
 */
export function lineChart(spec) {
  const { left, right, top } = MARGIN;
  const x1 = WIDTH - right;
  const y1 = top + PLOT_HEIGHT;
  const legendRows = Math.ceil(spec.series.length / 2);
  const HEIGHT = y1 + 48 + legendRows * 18 + 8;
  const all = spec.series.flatMap((s) => s.points);
  const refs = spec.references ?? [];
  const xs = all.map((p) => p.x);
  const ys = [...all.map((p) => p.y), ...refs.map((r) => r.y)];
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const log = spec.logY === true;
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (log) {
    yMin = 10 ** (Math.floor(Math.log10(yMin) * 4) / 4);
    yMax = 10 ** (Math.ceil(Math.log10(yMax) * 4) / 4);
  } else {
    yMin = Math.min(0, yMin);
    yMax = yMax * 1.05;
  }
  const fy = (v) => (log ? Math.log10(v) : v);
  const X = (x) => left + ((x - xMin) / (xMax - xMin)) * (x1 - left);
  const Y = (y) => y1 - ((fy(y) - fy(yMin)) / (fy(yMax) - fy(yMin))) * (y1 - top);
  const fmt = spec.yFormat ?? ((v) => String(v));
  const body = [];
  body.push(text(12, 22, spec.title, { 'font-size': 15, 'font-weight': 600 }));
  if (spec.subtitle) body.push(text(12, 40, spec.subtitle, { fill: '#555555' }));
  for (const t of ticks(yMin, yMax, log)) {
    body.push(el('line', { x1: left, x2: x1, y1: Y(t), y2: Y(t), stroke: '#e3e3e3' }));
    body.push(text(left - 6, Y(t) + 4, fmt(t), { 'text-anchor': 'end', fill: '#555555', 'font-size': 11 }));
  }
  for (const t of ticks(xMin, xMax, false)) {
    body.push(el('line', { x1: X(t), x2: X(t), y1: y1, y2: y1 + 4, stroke: '#999999' }));
    body.push(text(X(t), y1 + 17, String(Number(t.toFixed(6))), { 'text-anchor': 'middle', fill: '#555555', 'font-size': 11 }));
  }
  body.push(el('rect', { x: left, y: top, width: x1 - left, height: y1 - top, fill: 'none', stroke: '#bbbbbb' }));
  body.push(text((left + x1) / 2, y1 + 34, spec.xLabel, { 'text-anchor': 'middle' }));
  body.push(text(16, (top + y1) / 2, spec.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 16 ${round((top + y1) / 2)})` }));
  for (const r of refs) {
    body.push(el('line', { x1: left, x2: x1, y1: Y(r.y), y2: Y(r.y), stroke: r.color ?? '#888888', 'stroke-dasharray': '6 4' }));
    const leftAligned = r.align === 'left';
    body.push(text(leftAligned ? left + 4 : x1 - 4, Y(r.y) + (r.below ? 13 : -4), r.label, { 'text-anchor': leftAligned ? 'start' : 'end', fill: r.color ?? '#666666', 'font-size': 11 }));
  }
  spec.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${round(X(p.x))},${round(Y(p.y))}`).join(' ');
    body.push(el('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash }));
    if (s.marks) for (const p of s.points) body.push(el('circle', { cx: X(p.x), cy: Y(p.y), r: 2.5, fill: s.color }));
    // Legend below the plot, two columns.
    const lx = left + (i % 2) * ((x1 - left) / 2);
    const ly = y1 + 56 + Math.floor(i / 2) * 18;
    body.push(el('line', { x1: lx, x2: lx + 26, y1: ly, y2: ly, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash }));
    body.push(text(lx + 32, ly + 4, s.name, { 'font-size': 11 }));
  });
  return (
    el(
      'svg',
      { xmlns: 'http://www.w3.org/2000/svg', width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, 'font-family': 'system-ui, Helvetica, Arial, sans-serif', 'font-size': 12 },
      el('title', {}, escapeXml(spec.title)) + el('rect', { width: WIDTH, height: HEIGHT, fill: '#ffffff' }) + body.join(''),
    ) + '\n'
  );
}
