/**
 * The lecture's timing table, row by row, at its shapes (batch from the context, 500 in the
 * lecture): loop vs vectorized vs FFT for the forward convolutions and max pooling, the pool
 * layer's delta, the weight gradients, and one whole LeNet-5 training iteration. Every row
 * carries the lecture's seconds, so the table shows its ratios beside ours.
 */
import { conv2d, conv2dGradInput, conv2dGradWeight } from '@convlab/core';
import { fftConv2d, fftConv2dGradInput, fftConv2dGradWeight } from '@convlab/fft';
import { MaxPool2d } from '@convlab/nn';
import { LECTURE_SECONDS, LENET_LAYERS } from '../lecture-table.js';
import { seededLenet, syntheticBatch, trainingCase, type IterationFlavour } from '../lenet-iteration.js';
import { convForwardLoop, maxPoolLoop, poolDeltaLoop, weightGradLoop } from '../lecture-loops.js';
import type { BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { convFlops, measureOperation, randomTensor, shapeText, simdTwins, withThreads } from './common.js';

export { LENET_LAYERS };

/** Operations whose loop takes seconds at batch 500 run at most this many timed rounds. */
const SLOW_REPEAT = 3;

function slowRepeat(context: BenchContext): { repeat: number; note?: string } {
  if (context.repeat <= SLOW_REPEAT) return { repeat: context.repeat };
  return { repeat: SLOW_REPEAT, note: `${SLOW_REPEAT} timed runs (the loop is slow), not ${context.repeat}` };
}

async function convForward(context: BenchContext, l: (typeof LENET_LAYERS)[number]): Promise<BenchRow[]> {
  const n = context.batch;
  const o = l.h - l.f + 1;
  const x = randomTensor([n, l.c, l.h, l.h], 11 * l.layer);
  const w = randomTensor([l.k, l.c, l.f, l.f], 12 * l.layer, 0.2);
  const b = randomTensor([l.k], 13 * l.layer, 0.1);
  const lecture = l.layer === 1 ? LECTURE_SECONDS.convForward1 : LECTURE_SECONDS.convForward2;
  const flops = convFlops(n, l.c, l.k, o, o, l.f, l.f);
  const slow = l.layer === 2 ? slowRepeat(context) : { repeat: context.repeat };
  return measureOperation(context, {
    operation: `forward conv, layer ${l.layer} (${shapeText(x.shape)} * ${shapeText(w.shape)})`,
    key: `conv-forward-${l.layer}`,
    repeat: slow.repeat,
    note: slow.note,
    cases: [
      { strategy: 'loop (correlate2d per sample, filter, map)', lectureSeconds: lecture.loop, flops, run: () => convForwardLoop(x, w, b) },
      { strategy: 'direct (batched kernel)', flops, run: () => conv2d(x, w, b, { method: 'direct' }) },
      ...simdTwins(() => ({ strategy: 'vectorized (im2col + GEMM)', flops, run: () => conv2d(x, w, b, { method: 'im2col' }) })),
      { strategy: 'fft (batched spectra)', lectureSeconds: lecture.fft, flops, run: () => fftConv2d(x, w, b) },
    ],
  });
}

async function maxPoolForward(context: BenchContext, layer: 1 | 2): Promise<BenchRow[]> {
  const n = context.batch;
  const shape = layer === 1 ? [n, 20, 24, 24] : [n, 50, 8, 8];
  const a = randomTensor(shape, 21 * layer);
  const lecture = layer === 1 ? LECTURE_SECONDS.maxPool1 : LECTURE_SECONDS.maxPool2;
  const pool = new MaxPool2d({ kernelSize: 2 });
  return measureOperation(context, {
    operation: `forward max pooling 2x2, layer ${layer} (${shapeText(shape)})`,
    key: `maxpool-forward-${layer}`,
    cases: [
      { strategy: 'loop (per window: view, max, argmax)', lectureSeconds: lecture.loop, run: () => maxPoolLoop(a, 2).a },
      { strategy: 'vectorized (MaxPool2d, whole batch)', lectureSeconds: lecture.vectorized, run: () => pool.forward(a) },
    ],
  });
}

async function poolDelta(context: BenchContext): Promise<BenchRow[]> {
  const n = context.batch;
  const gy = randomTensor([n, 50, 8, 8], 31);
  const w = randomTensor([50, 20, 5, 5], 32, 0.2);
  const xShape = [n, 20, 12, 12];
  const flops = convFlops(n, 20, 50, 8, 8, 5, 5);
  const slow = slowRepeat(context);
  return measureOperation(context, {
    operation: `backward: pool-layer delta from conv layer 2 (${shapeText(gy.shape)} with ${shapeText(w.shape)} -> ${shapeText(xShape)})`,
    key: 'pool-delta-2',
    repeat: slow.repeat,
    note: slow.note,
    cases: [
      { strategy: 'loop (convolve2d full per sample, map, filter)', lectureSeconds: LECTURE_SECONDS.poolDelta2.loop, flops, run: () => poolDeltaLoop(gy, w) },
      { strategy: 'fft (batched spectra)', lectureSeconds: LECTURE_SECONDS.poolDelta2.fft, flops, run: () => fftConv2dGradInput(gy, w, xShape) },
      ...simdTwins(() => ({ strategy: 'im2col (GEMM + col2im)', flops, run: () => conv2dGradInput(gy, w, xShape, { method: 'im2col' }) })),
    ],
  });
}

async function weightGrad(context: BenchContext, l: (typeof LENET_LAYERS)[number]): Promise<BenchRow[]> {
  const n = context.batch;
  const o = l.h - l.f + 1;
  const x = randomTensor([n, l.c, l.h, l.h], 41 * l.layer);
  const gy = randomTensor([n, l.k, o, o], 42 * l.layer);
  const wShape = [l.k, l.c, l.f, l.f];
  const lecture: { loop?: number; fft: number } = l.layer === 1 ? LECTURE_SECONDS.weightGrad1 : LECTURE_SECONDS.weightGrad2;
  const flops = convFlops(n, l.c, l.k, o, o, l.f, l.f);
  const slow = l.layer === 2 ? slowRepeat(context) : { repeat: context.repeat };
  return measureOperation(context, {
    operation: `backward: weight gradient, layer ${l.layer} (${shapeText(x.shape)} with ${shapeText(gy.shape)} -> ${shapeText(wShape)})`,
    key: `weight-grad-${l.layer}`,
    repeat: slow.repeat,
    note: slow.note,
    cases: [
      { strategy: 'loop (correlate2d valid per filter, map, sample)', lectureSeconds: lecture.loop, flops, run: () => weightGradLoop(x, gy) },
      { strategy: 'fft (batched spectra)', lectureSeconds: lecture.fft, flops, run: () => fftConv2dGradWeight(x, gy, wShape) },
      ...simdTwins(() => ({ strategy: 'im2col (GEMM)', flops, run: () => conv2dGradWeight(x, gy, wShape, { method: 'im2col' }) })),
    ],
  });
}

/** Learning rate of the lecture's LeNet-5. */
export const LECTURE_LR = 0.1;

async function trainingIteration(context: BenchContext): Promise<BenchRow[]> {
  const n = context.batch;
  const { x, labels } = syntheticBatch(n, 51);
  const step = (flavour: IterationFlavour) => trainingCase(seededLenet(flavour, 52), x, labels, LECTURE_LR);
  const lecture = LECTURE_SECONDS.trainingIteration;
  return measureOperation(context, {
    operation: `one LeNet-5 training iteration (batch ${n}: forward, backward, SGD)`,
    key: 'training-iteration',
    note: 'check: the losses of the first two iterations',
    cases: [
      { strategy: 'spectral, no reuse', lectureSeconds: lecture.spectralNoReuse, ...step('fft-no-reuse') },
      { strategy: 'spectral, reused spectra', lectureSeconds: lecture.spectralReuse, ...step('fft') },
      ...simdTwins(() => ({ strategy: 'im2col + GEMM', ...step('im2col') })),
    ],
  });
}

export const lectureSuite: BenchSuite = {
  name: 'lecture',
  description: "the lecture's timing table at its shapes: loop vs vectorized vs FFT (convlab on one thread)",
  run: (context) => withThreads(1, async () => {
    const rows: BenchRow[] = [];
    for (const l of LENET_LAYERS) rows.push(...(await convForward(context, l)));
    rows.push(...(await maxPoolForward(context, 1)), ...(await maxPoolForward(context, 2)));
    rows.push(...(await poolDelta(context)));
    for (const l of LENET_LAYERS) rows.push(...(await weightGrad(context, l)));
    rows.push(...(await trainingIteration(context)));
    return rows;
  }),
};
