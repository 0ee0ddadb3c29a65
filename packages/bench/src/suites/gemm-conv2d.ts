/**
 * The GEMM at the two products LeNet-5 leans on (the fully connected layer's 500x800 * 800x500 and
 * the second conv layer's im2col product), and conv2d at the lecture's shapes, direct vs im2col:
 * forward for both layers, both gradients for layer 2 and the weight gradient for layer 1.
 * Strategies of one operation are timed interleaved (A B A B) so that drift on a shared machine
 * falls on both alike, and each row's maxRelDiff says how far its output is from the first strategy's.
 */
import {
  conv2d,
  conv2dGradInput,
  conv2dGradWeight,
  gemmInto,
  gemmReferenceInto,
  tensor,
  wasmSimdSupported,
  type FloatArray,
  type Tensor,
} from '@convlab/core';
import { measureInterleaved } from '../harness.js';
import { relativeDifference, simdLabel, withSimd } from './common.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';

/** The lecture's numpy/scipy loop figures (seconds, batch 500) for the rows it has. */
const LECTURE_LOOP_SECONDS = { forward1: 1.658, forward2: 25.1, poolDelta2: 26.44, weightGrad2: 22.93 };

/** Uniform values in [-scale, scale) from a fixed seed (mulberry32), the same on every run. */
function seededValues(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  return tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
}

interface Strategy {
  strategy: string;
  /** Runs once and returns the numbers it computed (compared with the first strategy's). */
  run: () => FloatArray;
  lectureSeconds?: number;
}

/** Times the strategies of one operation interleaved and turns them into rows. */
function measureOperation(
  context: BenchContext,
  key: string,
  operation: string,
  flops: number,
  strategies: Strategy[],
  repeat = context.repeat,
): BenchRow[] {
  const last = new Map<string, FloatArray>();
  const cases: Record<string, () => void> = {};
  for (const s of strategies) cases[s.strategy] = () => last.set(s.strategy, s.run());
  context.progress(`${operation}: ${strategies.map((s) => s.strategy).join(' vs ')}`);
  const timings = measureInterleaved(cases, { repeat, warmup: context.warmup });
  const reference = last.get(strategies[0]!.strategy)!;
  return strategies.map((s) => {
    const row: BenchRow = {
      operation,
      key,
      strategy: s.strategy,
      timing: timings[s.strategy]!,
      flops,
      maxRelDiff: relativeDifference(last.get(s.strategy)!, reference),
    };
    if (s.lectureSeconds !== undefined) row.lectureSeconds = s.lectureSeconds;
    return row;
  });
}

/** The strategies, each followed by its SIMD twin where the runtime has WebAssembly SIMD. */
function withSimdTwins(strategies: Strategy[], twins: Strategy[]): Strategy[] {
  if (!wasmSimdSupported()) return strategies;
  return strategies.flatMap((s, i) => (twins[i] ? [s, twins[i]!] : [s]));
}

function gemmRows(context: BenchContext, tiny: boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  // The fully connected layer: x [500, 800] times a [800, 500] matrix (as W^T of W [500, 800] in Linear.forward).
  {
    const [m, k, n] = tiny ? [20, 32, 20] : [500, 800, 500];
    const a = seededValues(m * k, 1);
    const b = seededValues(k * n, 2);
    const c = new Float32Array(m * n);
    const c2 = new Float32Array(m * n);
    const c3 = new Float32Array(m * n);
    // The same product with B stored transposed (n x k), as Linear keeps its weight; transposed once, untimed.
    const bt = transposed(b, k, n);
    const c4 = new Float32Array(m * n);
    const c5 = new Float32Array(m * n);
    const strategies = withSimdTwins(
      [
        { strategy: 'blocked GEMM', run: () => gemmInto(c, a, b, m, n, k, { simd: false }) },
        { strategy: 'blocked GEMM, B stored transposed', run: () => gemmInto(c2, a, bt, m, n, k, { transB: true, simd: false }) },
        { strategy: 'reference triple loop', run: () => gemmReferenceInto(c3, a, b, m, n, k) },
      ],
      [
        { strategy: `blocked GEMM, ${simdLabel()}`, run: () => gemmInto(c4, a, b, m, n, k, { simd: true }) },
        { strategy: `blocked GEMM, B stored transposed, ${simdLabel()}`, run: () => gemmInto(c5, a, bt, m, n, k, { transB: true, simd: true }) },
      ],
    );
    rows.push(...measureOperation(context, 'gemm-fc', `GEMM float32, fully connected (${m}x${k} * ${k}x${n})`, 2 * m * n * k, strategies));
  }
  // The second conv layer as one product: W [50, 20*5*5] times cols [500, batch*8*8].
  {
    const positions = context.batch * 64;
    const [m, k, n] = tiny ? [10, 25, 64] : [50, 500, positions];
    const a = seededValues(m * k, 3, 0.2);
    const b = seededValues(k * n, 4);
    const c = new Float32Array(m * n);
    const cSimd = new Float32Array(m * n);
    const c64 = new Float64Array(m * n);
    const a64 = Float64Array.from(a);
    const b64 = Float64Array.from(b);
    rows.push(
      ...measureOperation(
        context,
        'gemm-im2col-2',
        `GEMM, conv layer 2 im2col product (${m}x${k} * ${k}x${n})`,
        2 * m * n * k,
        withSimdTwins(
          [
            { strategy: 'blocked GEMM float32', run: () => gemmInto(c, a, b, m, n, k, { simd: false }) },
            { strategy: 'blocked GEMM float64', run: () => gemmInto(c64, a64, b64, m, n, k) },
          ],
          [{ strategy: `blocked GEMM float32, ${simdLabel()}`, run: () => gemmInto(cSimd, a, b, m, n, k, { simd: true }) }],
        ),
      ),
    );
  }
  return rows;
}

function transposed(b: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = b[i * cols + j]!;
  return t;
}

/** LeNet-5's conv layers in the lecture: input maps c of h x h, k filters of f x f. */
const LAYERS = [
  { layer: 1, c: 1, h: 28, k: 20, f: 5 },
  { layer: 2, c: 20, h: 12, k: 50, f: 5 },
] as const;

function convRows(context: BenchContext, tiny: boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  const n = context.batch;
  const shape = (s: readonly number[]) => s.join('x');
  for (const L of LAYERS) {
    const [c, h, k] = tiny ? [Math.min(L.c, 2), 8, 3] : [L.c, L.h, L.k];
    const o = h - L.f + 1;
    const x = randomTensor([n, c, h, h], 10 + L.layer);
    const w = randomTensor([k, c, L.f, L.f], 20 + L.layer, 0.2);
    const b = randomTensor([k], 30 + L.layer, 0.1);
    const gy = randomTensor([n, k, o, o], 40 + L.layer);
    const flops = 2 * n * c * k * o * o * L.f * L.f;
    const both = (run: (method: 'direct' | 'im2col') => Tensor, lectureSeconds?: number): Strategy[] => [
      { strategy: 'direct', run: () => run('direct').data, ...(lectureSeconds === undefined ? {} : { lectureSeconds }) },
      { strategy: 'im2col + GEMM', run: () => withSimd(false, () => run('im2col').data) },
      ...(wasmSimdSupported() ? [{ strategy: `im2col + GEMM, ${simdLabel()}`, run: () => withSimd(true, () => run('im2col').data) }] : []),
    ];
    const forwardLecture = L.layer === 1 ? LECTURE_LOOP_SECONDS.forward1 : LECTURE_LOOP_SECONDS.forward2;
    rows.push(
      ...measureOperation(
        context,
        `conv2d-forward-${L.layer}`,
        `conv2d forward float32, layer ${L.layer} (${shape(x.shape)} * ${shape(w.shape)})`,
        flops,
        both((method) => conv2d(x, w, b, { method }), forwardLecture),
      ),
    );
    if (L.layer === 2) {
      rows.push(
        ...measureOperation(
          context,
          'conv2d-grad-input-2',
          `conv2d grad input float32, layer 2 (${shape(gy.shape)} with ${shape(w.shape)} -> ${shape(x.shape)})`,
          flops,
          both((method) => conv2dGradInput(gy, w, x.shape, { method }), LECTURE_LOOP_SECONDS.poolDelta2),
        ),
      );
    }
    rows.push(
      ...measureOperation(
        context,
        `conv2d-grad-weight-${L.layer}`,
        `conv2d grad weight float32, layer ${L.layer} (${shape(x.shape)} with ${shape(gy.shape)} -> ${shape(w.shape)})`,
        flops,
        both((method) => conv2dGradWeight(x, gy, w.shape, { method }), L.layer === 2 ? LECTURE_LOOP_SECONDS.weightGrad2 : undefined),
      ),
    );
  }
  return rows;
}

export const gemmConv2dSuite: BenchSuite = {
  name: 'gemm-conv2d',
  description: 'the blocked GEMM at the fully connected and conv-layer-2 products; conv2d direct vs im2col at the lecture shapes',
  run(context) {
    // Smoke-test scale when the runner asks for it (shapes shrink, numbers are not comparable).
    const tiny = context.tiny === true;
    return [...gemmRows(context, tiny), ...convRows(context, tiny)];
  },
  summary: gemmConv2dSummary,
};

/**
 * The GEMM targets (float32 at 4 GFLOP/s or more on one core at both LeNet-5 products in pure
 * JavaScript; 20 GFLOP/s with WebAssembly SIMD at the fully connected one), and what the columns mean.
 */
function gemmConv2dSummary(rows: readonly BenchRow[]): string[] {
  const gflops = (r: BenchRow) => (r.flops ?? NaN) / (r.timing.median * 1e6);
  const target = (pattern: RegExp, operations: RegExp, goal: number, what: string): string[] => {
    const gemm = rows.filter((r) => operations.test(r.operation) && pattern.test(r.strategy));
    if (gemm.length === 0) return [];
    const measuredText = gemm.map((r) => `${gflops(r).toFixed(2)} GFLOP/s on ${r.operation.replace(/^GEMM( float32)?, /, '')}`);
    const met = gemm.every((r) => gflops(r) >= goal);
    return [`Target: ${what} at ${goal} GFLOP/s or more on one core. Measured (median): ${measuredText.join('; ')}: ${met ? 'met' : 'NOT met'}.`, ''];
  };
  return [
    ...target(/^blocked GEMM( float32)?$/, /^GEMM/, 4, 'float32 GEMM in pure JavaScript'),
    ...target(/^blocked GEMM, WebAssembly SIMD/, /^GEMM float32, fully connected/, 20, 'float32 GEMM with WebAssembly SIMD'),
    'One thread. GFLOP/s counts 2 floating-point operations per multiply-add of the mathematical product (padding',
    'excluded). "lecture s" is the numpy/scipy loop timing of the same operation in the lecture (a 2016 machine), for scale.',
    '',
  ];
}
