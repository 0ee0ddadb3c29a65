/**
 * Spectral convolution at the lecture's shapes: forward, grad input and grad weight of both LeNet-5
 * conv layers, the FFT with reused spectra vs the FFT without reuse vs im2col + GEMM vs the direct
 * loop (interleaved); the 2-D real FFT of 32x32 planes per transform (with numpy's
 * scipy.fft.rfft2 beside it when python3 has scipy); the pointwise kernel against core's GEMM on
 * the same product; and the cost model's choice against a side-by-side run.
 *
 * "Reused spectra" is what a training step does: forward transforms the weights once for the whole
 * batch and keeps the input's spectrum; backward transforms gy once (charged to grad input) and
 * forms grad weight from the kept spectra. "No reuse": forward transforms the weights once per
 * sample, and each gradient is the free function that transforms everything it needs.
 */
import { spawnSync } from 'node:child_process';
import { conv2d, conv2dGradInput, conv2dGradWeight, convInfo, fromDense, gemmInto, type Tensor } from '@convlab/core';
import {
  Rfft2Plan,
  SpectralConv2d,
  chooseConvMethod,
  complexMatmulInto,
  convCosts,
  fftConv2dGradInput,
  fftConv2dGradWeight,
  packedLength,
  packPanelsInto,
  spectralGeometry,
} from '@convlab/fft';
import { summarize } from '../harness.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { fftSummary } from './fft-summary.js';
import { convFlops, measureOperation, randomTensor, shapeText, type StrategyCase } from './common.js';

interface Layer {
  layer: number;
  c: number;
  h: number;
  k: number;
  f: number;
}

const LAYERS: Layer[] = [
  { layer: 1, c: 1, h: 28, k: 20, f: 5 },
  { layer: 2, c: 20, h: 12, k: 50, f: 5 },
];
const TINY_LAYERS: Layer[] = [
  { layer: 1, c: 1, h: 10, k: 3, f: 3 },
  { layer: 2, c: 3, h: 8, k: 4, f: 3 },
];

/** The direct loop of layer 2 takes seconds at batch 500: at most this many timed runs. */
const SLOW_REPEAT = 3;

function repeatFor(context: BenchContext, slow: boolean): { repeat: number; note?: string } {
  if (!slow || context.repeat <= SLOW_REPEAT) return { repeat: context.repeat };
  return { repeat: SLOW_REPEAT, note: `${SLOW_REPEAT} timed runs (direct is slow), not ${context.repeat}` };
}

/** conv2d forward with the weights transformed for every sample: the spectra not shared across the batch. */
function forwardPerSample(x: Tensor, w: Tensor, b: Tensor, out: Float32Array): Float32Array {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const plan = new SpectralConv2d();
  let at = 0;
  for (let i = 0; i < n; i++) {
    const sample = x.lo(i, 0, 0, 0).hi(1, c, h, wd) as Tensor;
    const y = plan.forward(sample, w, b).data;
    out.set(y, at);
    at += y.length;
  }
  return out;
}

async function layerRows(context: BenchContext, l: Layer): Promise<BenchRow[]> {
  const n = context.batch;
  const o = l.h - l.f + 1;
  const xShape = [n, l.c, l.h, l.h];
  const wShape = [l.k, l.c, l.f, l.f];
  const x = randomTensor(xShape, 61 * l.layer);
  const w = randomTensor(wShape, 62 * l.layer, 0.2);
  const b = randomTensor([l.k], 63 * l.layer, 0.1);
  const gy = randomTensor([n, l.k, o, o], 64 * l.layer);
  const flops = convFlops(n, l.c, l.k, o, o, l.f, l.f);
  const slow = repeatFor(context, l.layer === 2 && !context.tiny);
  const shapes = `${shapeText(xShape)} * ${shapeText(wShape)}`;
  const perSampleOut = new Float32Array(n * l.k * o * o);

  // Each operation's reusing plan runs its forward pass once, untimed, to hold the spectra.
  const forwardPlan = new SpectralConv2d();
  const backwardPlan = new SpectralConv2d();
  backwardPlan.forward(x, w, b);
  const kept = new SpectralConv2d();
  kept.forward(x, w, b);
  const keptGrad = kept.gradSpectrum(gy);

  const geometry = spectralGeometry(convInfo(xShape, wShape));
  const period = `period ${geometry.periodHeight}x${geometry.periodWidth}, ${geometry.computed.length} bins multiplied`;
  const rows: BenchRow[] = [];
  const forwardCases: StrategyCase[] = [
    { strategy: 'fft, reused spectra', flops, run: () => forwardPlan.forward(x, w, b), note: `weights transformed once per batch; ${period}` },
    { strategy: 'fft, no reuse', flops, run: () => forwardPerSample(x, w, b, perSampleOut), note: 'weights transformed once per sample' },
    { strategy: 'im2col + GEMM', flops, run: () => conv2d(x, w, b, { method: 'im2col' }) },
    { strategy: 'direct', flops, run: () => conv2d(x, w, b, { method: 'direct' }) },
  ];
  rows.push(
    ...(await measureOperation(context, {
      operation: `fft: forward conv, layer ${l.layer} (${shapes})`,
      key: `fft-forward-${l.layer}`,
      cases: forwardCases,
      ...slow,
    })),
  );
  const gradInputCases: StrategyCase[] = [
    {
      strategy: 'fft, reused spectra',
      flops,
      run: () => backwardPlan.gradInput(backwardPlan.gradSpectrum(gy)),
      note: "weights' spectrum from forward; gy transformed here, once for both gradients",
    },
    { strategy: 'fft, no reuse', flops, run: () => fftConv2dGradInput(gy, w, xShape), note: 'transforms w and gy' },
    { strategy: 'im2col + GEMM', flops, run: () => conv2dGradInput(gy, w, xShape, { method: 'im2col' }) },
    { strategy: 'direct', flops, run: () => conv2dGradInput(gy, w, xShape, { method: 'direct' }) },
  ];
  rows.push(
    ...(await measureOperation(context, {
      operation: `fft: grad input, layer ${l.layer} (${shapeText(gy.shape)} with ${shapeText(wShape)} -> ${shapeText(xShape)})`,
      key: `fft-grad-input-${l.layer}`,
      cases: gradInputCases,
      ...slow,
    })),
  );
  const gradWeightCases: StrategyCase[] = [
    {
      strategy: 'fft, reused spectra',
      flops,
      run: () => kept.gradWeight(keptGrad),
      note: "input's spectrum from forward, gy's from grad input: no transform forward",
    },
    { strategy: 'fft, no reuse', flops, run: () => fftConv2dGradWeight(x, gy, wShape), note: 'transforms x and gy' },
    { strategy: 'im2col + GEMM', flops, run: () => conv2dGradWeight(x, gy, wShape, { method: 'im2col' }) },
    { strategy: 'direct', flops, run: () => conv2dGradWeight(x, gy, wShape, { method: 'direct' }) },
  ];
  rows.push(
    ...(await measureOperation(context, {
      operation: `fft: grad weight, layer ${l.layer} (${shapeText(xShape)} with ${shapeText(gy.shape)} -> ${shapeText(wShape)})`,
      key: `fft-grad-weight-${l.layer}`,
      cases: gradWeightCases,
      ...slow,
    })),
  );
  return rows;
}

/** numpy's scipy.fft.rfft2 on a (planes, 32, 32) float64 batch: per-transform times in ms, or why not. */
function numpyRfft2(planes: number, size: number, repeat: number): number[] | string {
  const script = [
    'import json, time, numpy as np, scipy.fft',
    `x = np.random.default_rng(0).standard_normal((${planes}, ${size}, ${size}))`,
    'scipy.fft.rfft2(x)',
    'times = []',
    `for _ in range(${repeat}):`,
    '    t = time.perf_counter(); scipy.fft.rfft2(x); times.append((time.perf_counter() - t) * 1000)',
    'print(json.dumps(times))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) return `python3 not available (${result.error.message})`;
  if (result.status !== 0) return `python3 could not run scipy.fft.rfft2 (${(result.stderr || '').trim().split('\n').pop()})`;
  try {
    return (JSON.parse(result.stdout) as number[]).map((t) => t / planes);
  } catch {
    return 'python3 printed no timings';
  }
}

/** The real 2-D FFT of size x size planes, batched: time per transform. */
async function transformRows(context: BenchContext): Promise<BenchRow[]> {
  const size = context.tiny ? 8 : 32;
  const planes = context.tiny ? 16 : 2000;
  const paired = new Rfft2Plan(size, size, true);
  const single = new Rfft2Plan(size, size, false);
  const src = randomTensor([planes, size, size], 71).data;
  const spectra = new Float64Array(planes * paired.bins * 2);
  const back = new Float64Array(planes * size * size);
  const plane = size * size;
  const stride = paired.bins * 2;
  const scale = 1 / plane;
  const forward = (plan: Rfft2Plan) => () => {
    for (let p = 0; p < planes; p++) plan.forward(spectra, p * stride, 2, 1, src, p * plane, size, size, size);
    return spectra;
  };
  const inverse = () => {
    for (let p = 0; p < planes; p++) paired.inverse(back, p * plane, size, spectra, p * stride, 2, 1, 0, size, 1, 0, size, 1, scale);
    return undefined;
  };
  const operation = `fft: real 2-D FFT of ${size}x${size}, per transform (batch of ${planes} planes)`;
  const rows = await measureOperation(context, {
    operation,
    key: 'fft-rfft2-32',
    cases: [
      { strategy: 'rfft2, rows paired', run: forward(paired), note: 'two real rows per complex fft.js transform' },
      { strategy: 'rfft2, realTransform per row', run: forward(single), note: "fft.js's realTransform on every row" },
      { strategy: 'irfft2 (inverse)', run: inverse, compare: false },
    ],
  });
  // measureOperation times the whole batch: turn each row into time per transform.
  for (const row of rows) row.timing = summarize(row.timing.times.map((t) => t / planes));
  if (!context.tiny) {
    const numpy = numpyRfft2(planes, size, context.repeat);
    if (typeof numpy === 'string') {
      rows.push({ operation, key: 'fft-rfft2-32', strategy: 'numpy scipy.fft.rfft2', timing: summarize([NaN]), note: numpy });
    } else {
      rows.push({
        operation,
        key: 'fft-rfft2-32',
        strategy: 'numpy scipy.fft.rfft2',
        timing: summarize(numpy),
        note: 'pocketfft in C, float64, same batch; measured in a python3 child process',
      });
    }
  }
  return rows;
}

/**
 * Layer 2's transforms at the period it uses, 12 x 12 (mixed radix, 12 = 4 x 3), beside the
 * power-of-two period fft.js would need, 16 x 16: a 12 x 12 map forward, an 8 x 8 window back.
 */
async function periodRows(context: BenchContext): Promise<BenchRow[]> {
  const [map, window, small, large] = context.tiny ? [6, 4, 6, 8] : [12, 8, 12, 16];
  const planes = context.tiny ? 16 : 5000;
  const src = randomTensor([planes, map, map], 73).data;
  const back = new Float32Array(planes * window * window);
  const cases: StrategyCase[] = [];
  for (const size of [small, large]) {
    const plan = new Rfft2Plan(size, size);
    const spectra = new Float64Array(planes * plan.bins * 2);
    const stride = plan.bins * 2;
    const how = size === small ? 'mixed radix' : 'fft.js';
    cases.push({
      strategy: `forward at ${size}x${size} (${how})`,
      note: `${plan.bins} bins a plane`,
      compare: false,
      run: () => {
        for (let p = 0; p < planes; p++) plan.forward(spectra, p * stride, 2, 1, src, p * map * map, map, map, map);
        return undefined;
      },
    });
    cases.push({
      strategy: `inverse at ${size}x${size} (${how}), ${window}x${window} window`,
      compare: false,
      run: () => {
        for (let p = 0; p < planes; p++) {
          plan.inverse(back, p * window * window, window, spectra, p * stride, 2, 1, 0, window, 1, 0, window, 1, 1 / (size * size));
        }
        return undefined;
      },
    });
  }
  const rows = await measureOperation(context, {
    operation: `fft: layer 2's transforms, ${small}x${small} vs ${large}x${large} period, per plane (batch of ${planes} ${map}x${map} maps)`,
    key: 'fft-period-2',
    cases,
  });
  for (const row of rows) row.timing = summarize(row.timing.times.map((t) => t / planes));
  return rows;
}

/**
 * The pointwise stage of layer 2's forward pass: per bin, a (samples x 20) by (20 x 50) complex
 * product, by the 2x2 complex kernel on weights packed once, and by core's GEMM on the same
 * product written as one real product of twice the size ([Re X | Im X] [[Re B, Im B], [-Im B, Re B]]).
 */
async function pointwiseRows(context: BenchContext): Promise<BenchRow[]> {
  const [n, c, k, h, f] = context.tiny ? [4, 3, 5, 8, 3] : [context.batch, 20, 50, 12, 5];
  const info = convInfo([n, c, h, h], [k, c, f, f]);
  const bins = spectralGeometry(info).computed.length;
  const values = (count: number, seed: number) => randomTensor([count], seed).data;
  const a = Float64Array.from(values(bins * n * 2 * c, 81));
  const bRe = values(bins * c * k, 82);
  const bIm = values(bins * c * k, 83);
  const packLength = packedLength(c, k);
  const packed = new Float64Array(bins * packLength);
  const realified = new Float64Array(bins * 4 * c * k);
  for (let f = 0; f < bins; f++) {
    const base = f * c * k;
    packPanelsInto(packed, f * packLength, c, k, (p, j) => bRe[base + p * k + j]!, (p, j) => bIm[base + p * k + j]!);
    // [[Re B, Im B], [-Im B, Re B]] (2c x 2k) so that [Re A | Im A] times it is [Re C | Im C].
    const m = f * 4 * c * k;
    for (let p = 0; p < c; p++) {
      for (let j = 0; j < k; j++) {
        const re = bRe[base + p * k + j]!;
        const im = bIm[base + p * k + j]!;
        realified[m + p * 2 * k + j] = re;
        realified[m + p * 2 * k + k + j] = im;
        realified[m + (c + p) * 2 * k + j] = -im;
        realified[m + (c + p) * 2 * k + k + j] = re;
      }
    }
  }
  const out = new Float64Array(bins * n * 2 * k);
  const flops = 8 * bins * n * c * k;
  return measureOperation(context, {
    operation: `fft: pointwise stage of layer 2 forward (${bins} bins of ${n}x${c} by ${c}x${k} complex)`,
    key: 'fft-pointwise-2',
    cases: [
      {
        strategy: '2x2 complex kernel, weights packed once',
        flops,
        run: () => {
          for (let f = 0; f < bins; f++) complexMatmulInto(out, f * n * 2 * k, 2 * k, k, a, f * n * 2 * c, 2 * c, c, packed, f * packLength, n, k, c);
          return fromDense(out, [out.length]);
        },
      },
      {
        strategy: "core's GEMM on the real form (twice the size)",
        flops,
        run: () => {
          for (let f = 0; f < bins; f++) {
            gemmInto(out, a, realified, n, 2 * k, 2 * c, { offsetA: f * n * 2 * c, offsetB: f * 4 * c * k, offsetC: f * n * 2 * k });
          }
          return fromDense(out, [out.length]);
        },
      },
    ],
  });
}

/** The cost model's choice against a side-by-side run of the three strategies. */
async function costModelRows(context: BenchContext): Promise<BenchRow[]> {
  const n = context.batch;
  const shapes: Array<[string, number[], number[]]> = context.tiny
    ? [['tiny', [2, 2, 8, 8], [3, 2, 3, 3]]]
    : [
        ['lecture layer 1', [n, 1, 28, 28], [20, 1, 5, 5]],
        ['lecture layer 2', [n, 20, 12, 12], [50, 20, 5, 5]],
        ['large kernel', [32, 3, 64, 64], [16, 3, 15, 15]],
      ];
  const rows: BenchRow[] = [];
  for (const [name, xShape, wShape] of shapes) {
    const x = randomTensor(xShape, 91);
    const w = randomTensor(wShape, 92, 0.2);
    const info = convInfo(xShape, wShape);
    const choice = chooseConvMethod(xShape, wShape);
    const predicted = convCosts(info);
    const plan = new SpectralConv2d();
    const flops = convFlops(info.batch, info.inChannels, info.outChannels, info.outHeight, info.outWidth, info.kernelHeight, info.kernelWidth);
    const slow = repeatFor(context, !context.tiny);
    const measured = await measureOperation(context, {
      operation: `fft: cost model check, ${name} (${shapeText(xShape)} * ${shapeText(wShape)})`,
      key: `fft-choice-${name.replace(/ /g, '-')}`,
      note: [`the model picks ${choice}`, slow.note].filter(Boolean).join('; '),
      repeat: slow.repeat,
      cases: (['direct', 'im2col', 'fft'] as const).map((method) => ({
        strategy: method,
        flops,
        note: `model predicts ${predicted[method].toFixed(0)} ms`,
        run: () => (method === 'fft' ? plan.forward(x, w) : conv2d(x, w, null, { method })),
      })),
    });
    rows.push(...measured);
  }
  return rows;
}

export const fftSuite: BenchSuite = {
  name: 'fft',
  description: 'spectral convolution with and without reused spectra vs im2col and direct, the 32x32 real FFT, the cost model',
  async run(context) {
    const rows: BenchRow[] = [];
    for (const l of context.tiny ? TINY_LAYERS : LAYERS) rows.push(...(await layerRows(context, l)));
    rows.push(...(await transformRows(context)));
    rows.push(...(await periodRows(context)));
    rows.push(...(await pointwiseRows(context)));
    rows.push(...(await costModelRows(context)));
    return rows;
  },
  summary: fftSummary,
};
