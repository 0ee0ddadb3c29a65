// Measures the constants of chooseConvMethod's cost model on this machine and checks the model:
//   npx tsc -b && node benchmarks/fft/calibrate.mjs [--write] [--repeat 5]
// Prints the fitted constants, the model's predictions beside measured times for the checked shapes,
// and whether the model picks the fastest strategy there. --write rewrites
// packages/fft/src/cost-constants.ts (atomically); rebuild afterwards (npx tsc -b).
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const core = await import('../../packages/core/dist/index.js');
const fft = await import('../../packages/fft/dist/index.js');
const { machineInfo, measureInterleaved } = await import('../../packages/bench/dist/harness.js');

const { values } = parseArgs({
  options: { write: { type: 'boolean', default: false }, repeat: { type: 'string', default: '5' } },
});
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error(`calibrate: --repeat must be a positive integer, got ${JSON.stringify(values.repeat)}`);
  process.exit(2);
}

/** Seeded uniform float32 values in [-1, 1) (mulberry32). */
function randomTensor(shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return core.tensor(data, shape);
}

/** The fastest of `repeat` runs after a warm-up, in ns: the run least disturbed by other jobs. */
function fastestNs(fn) {
  const t = measureInterleaved({ fn }, { warmup: 1, repeat }).fn;
  return t.min * 1e6;
}

/** Least squares for t ~ X beta (a few unknowns), by the normal equations; negative fits clamp to 0. */
function leastSquares(rows, targets) {
  const p = rows[0].length;
  const a = Array.from({ length: p }, () => new Array(p + 1).fill(0));
  rows.forEach((r, i) => {
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < p; k++) a[j][k] += r[j] * r[k];
      a[j][p] += r[j] * targets[i];
    }
  });
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= p; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, j) => Math.max(0, row[p] / row[j]));
}

const nLogN = (n) => n * Math.log2(Math.max(2, n));
const log = (message) => process.stderr.write(`  ${message}\n`);

// 1. Forward plane transforms: inputSpectrum of N single-channel P x P planes (1x1 kernel: period P).
log('forward plane transforms');
const forwardRows = [];
const forwardTimes = [];
for (const [p, n] of [[8, 2000], [16, 1000], [32, 400], [64, 100], [128, 25]]) {
  const x = randomTensor([n, 1, p, p], p);
  const info = core.convInfo(x.shape, [1, 1, 1, 1]);
  forwardRows.push([n, n * nLogN(p * p)]);
  forwardTimes.push(fastestNs(() => fft.inputSpectrum(x, info)));
}
const [transformPerPlane, transformPerPoint] = leastSquares(forwardRows, forwardTimes);

// 1b. Mixed-radix transforms (sizes fft.js does not take) against fft.js's, plane by plane through
// the same 2-D plan: the ratio of their cost per n log2 n, beyond the fixed part of a plane. The
// ratio depends on the radices (12 = 4 x 3 is about 1.1, 30 = 2 x 3 x 5 about 1.5); the model keeps
// the worst one measured, so that a period off the powers of two is chosen only where it clearly pays.
log('mixed-radix against power-of-two transforms');
function planeNs(p, planes) {
  const plan = fft.rfft2Plan(p, p);
  const src = randomTensor([planes, p, p], p).data;
  const dst = new Float64Array(2 * plan.bins);
  return fastestNs(() => {
    for (let i = 0; i < planes; i++) plan.forward(dst, 0, 2, 1, src, i * p * p, p, p, p);
  }) / planes;
}
const powerRows = [];
const powerTimes = [];
for (const [p, n] of [[8, 4000], [16, 2000], [32, 500], [64, 120]]) {
  powerRows.push([1, nLogN(p * p)]);
  powerTimes.push(planeNs(p, n));
}
const [planeFixed, planePerPoint] = leastSquares(powerRows, powerTimes);
const ratios = [];
for (const [p, n] of [[12, 3000], [24, 1000], [30, 600], [48, 200], [96, 50]]) {
  ratios.push((planeNs(p, n) - planeFixed) / (planePerPoint * nLogN(p * p)));
}
const mixedRadixFactor = Math.max(...ratios);

// 2. The products: pointwise and inverse transforms together, from spectra computed beforehand.
log('products (pointwise stage and inverse transforms)');
const productRows = [];
const productTimes = [];
// Single-channel rows are nearly all inverse transforms; many-channel rows nearly all pointwise stage.
for (const [n, c, k, p] of [
  [1000, 1, 1, 8],
  [400, 1, 1, 16],
  [200, 1, 1, 32],
  [50, 1, 1, 64],
  [32, 64, 32, 16],
  [64, 32, 48, 8],
  [16, 48, 64, 32],
]) {
  const x = randomTensor([n, c, p, p], n + c);
  const w = randomTensor([k, c, 1, 1], k);
  const info = core.convInfo(x.shape, w.shape);
  const xs = fft.inputSpectrum(x, info);
  const ws = fft.weightSpectrum(w, info);
  const g = fft.spectralGeometry(info);
  productRows.push([n * k, n * k * nLogN(p * p), g.computed.length * n * k * c]);
  productTimes.push(fastestNs(() => fft.conv2dFromSpectra(xs, ws)));
}
const [inversePerPlane, inversePerPoint, pointwisePerComplexMac] = leastSquares(productRows, productTimes);

// 3. Direct and im2col on shapes around the lecture's.
const convShapes = [
  [[100, 1, 28, 28], [20, 1, 5, 5]],
  [[100, 20, 12, 12], [50, 20, 5, 5]],
  [[50, 3, 32, 32], [16, 3, 3, 3]],
  [[20, 16, 16, 16], [32, 16, 3, 3]],
  [[8, 2, 40, 40], [8, 2, 9, 9]],
  [[50, 8, 20, 20], [2, 8, 5, 5]],
];
log('direct');
const direct = [];
for (const [xShape, wShape] of convShapes.slice(0, 4)) {
  const x = randomTensor(xShape, 1);
  const w = randomTensor(wShape, 2);
  const info = core.convInfo(xShape, wShape);
  const mac = info.batch * info.outChannels * info.outHeight * info.outWidth * info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  direct.push(fastestNs(() => core.conv2d(x, w, null, { method: 'direct' })) / mac);
}
direct.sort((a, b) => a - b);
const directPerMac = direct[direct.length >> 1];
log('im2col');
const im2colRows = [];
const im2colTimes = [];
for (const [xShape, wShape] of convShapes) {
  const x = randomTensor(xShape, 3);
  const w = randomTensor(wShape, 4);
  const info = core.convInfo(xShape, wShape);
  const mac = info.batch * info.outChannels * info.outHeight * info.outWidth * info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  const paddedKg = Math.ceil(info.outChannelsPerGroup / 4) * 4;
  const unfolded = info.batch * info.inChannels * info.kernelHeight * info.kernelWidth * info.outHeight * info.outWidth;
  im2colRows.push([(mac * paddedKg) / info.outChannelsPerGroup, unfolded]);
  im2colTimes.push(fastestNs(() => core.conv2d(x, w, null, { method: 'im2col' })));
}
const [im2colPerMac, im2colPerCopy] = leastSquares(im2colRows, im2colTimes);

const machine = machineInfo();
const constants = {
  directPerMac,
  im2colPerMac,
  im2colPerCopy,
  transformPerPlane,
  transformPerPoint,
  inversePerPlane,
  inversePerPoint,
  mixedRadixFactor,
  pointwisePerComplexMac,
  measuredOn: `${machine.cpu}, Node ${machine.node}, ${machine.date.slice(0, 10)}, commit ${machine.commit}`,
};
const round = (v) => (typeof v === 'number' ? Number(v.toPrecision(3)) : v);
console.log('constants (ns):', JSON.stringify(Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, round(v)])), null, 2));

// 4. The check: the model's choice against a side-by-side run of all three strategies.
const checks = [
  ['lecture layer 1', [500, 1, 28, 28], [20, 1, 5, 5]],
  ['lecture layer 2', [500, 20, 12, 12], [50, 20, 5, 5]],
  ['large kernel', [32, 3, 64, 64], [16, 3, 15, 15]],
];
console.log('\n| shape | direct ms (model) | im2col ms (model) | fft ms (model) | fastest | model picks |');
console.log('| --- | --- | --- | --- | --- | --- |');
let agree = true;
for (const [name, xShape, wShape] of checks) {
  log(`check: ${name}`);
  const x = randomTensor(xShape, 5);
  const w = randomTensor(wShape, 6);
  const info = core.convInfo(xShape, wShape);
  const model = fft.convCosts(info, 'forward', constants);
  const plan = new fft.SpectralConv2d();
  const t = measureInterleaved(
    {
      direct: () => core.conv2d(x, w, null, { method: 'direct' }),
      im2col: () => core.conv2d(x, w, null, { method: 'im2col' }),
      fft: () => plan.forward(x, w),
    },
    { warmup: 1, repeat: Math.min(repeat, 3) },
  );
  const fastest = ['direct', 'im2col', 'fft'].reduce((a, b) => (t[b].median < t[a].median ? b : a));
  const picked = ['direct', 'im2col', 'fft'].reduce((a, b) => (model[b] < model[a] ? b : a));
  agree &&= fastest === picked;
  const cell = (m) => `${t[m].median.toFixed(0)} (${model[m].toFixed(0)})`;
  console.log(`| ${name}: ${xShape.join('x')} * ${wShape.join('x')} | ${cell('direct')} | ${cell('im2col')} | ${cell('fft')} | ${fastest} | ${picked} |`);
}
console.log(agree ? '\nThe model picks the fastest strategy on every checked shape.' : '\nThe model MISSES the fastest strategy somewhere above.');

if (values.write) {
  const target = join(root, 'packages', 'fft', 'src', 'cost-constants.ts');
  const fields = Object.entries(constants)
    .filter(([k]) => k !== 'measuredOn')
    .map(([k, v]) => `  ${k}: ${round(v)},`);
  const doc = {
    directPerMac: 'Direct loop: per multiply-add.',
    im2colPerMac: "im2col + GEMM: per multiply-add of the GEMM (output channels rounded up to the GEMM's 4-row tile).",
    im2colPerCopy: 'im2col + GEMM: per element unfolded into the column matrix.',
    transformPerPlane: 'Forward real 2-D transform of one plane: fixed part ...',
    transformPerPoint: '... and part per (n log2 n), n = Ph Pw.',
    inversePerPlane: "Inverse of one plane (gather, column transforms, the window's rows): fixed part ...",
    inversePerPoint: '... and part per (n log2 n).',
    mixedRadixFactor: "A mixed-radix (non-power-of-two) transform's cost per n log2 n, relative to fft.js's (the worst size measured).",
    pointwisePerComplexMac: 'The pointwise stage: per complex multiply-add.',
  };
  const text = [
    '/**',
    ' * Measured constants of the conv2d cost model (cost-model.ts), in nanoseconds. Written by',
    ' * `node benchmarks/fft/calibrate.mjs --write` (see docs/fft.md); edit by re-running it.',
    ' */',
    'export const COST_CONSTANTS = {',
    ...fields.flatMap((line) => [`  /** ${doc[line.trim().split(':')[0]]} */`, line]),
    '  /** Measured on (recorded by the calibration). */',
    `  measuredOn: ${JSON.stringify(constants.measuredOn)},`,
    '} as const;',
    '',
  ].join('\n');
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, target);
  console.log(`wrote ${target.slice(root.length + 1)}; rebuild with npx tsc -b`);
}
