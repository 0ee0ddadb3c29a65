import type { FloatArray } from '../tensor.js';
import { withBatch, type ConvInfo } from '../conv/conv-info.js';
import { reluBackwardInto, reluInto, sigmoidBackwardInto, sigmoidInto, tanhBackwardInto, tanhInto } from '../elementwise/activation.js';
import { maxPool2dBackwardInto, maxPool2dInto } from '../pooling/pool2d.js';
import type { WorkerPool } from './pool.js';
import { splitRange } from './partition.js';
import { isShared } from './shared.js';
import { builtModule, defineTask } from './task.js';

/*
 * Max pooling and the elementwise activations on a worker pool: pooling split by blocks of samples,
 * activations by ranges of elements, each block through the same kernel as on one thread, so the
 * numbers are the same bit for bit. These kernels cost about as much as copying their operands, so
 * they go to the workers only when every array already lives in shared memory (a layer's own
 * buffers do), never through a staging copy; small arrays stay on the calling thread too.
 */

const here = builtModule('../../dist/parallel/layer-kernels-parallel.js', import.meta.url);

/** Elementwise work below this many elements stays on the calling thread (a worker round trip costs about 20 us). */
const MIN_ELEMENTWISE = 1 << 15;

/** A pooling geometry restricted to samples [start, end), and the sizes of one sample. */
function samples(g: ConvInfo, start: number, end: number): { g: ConvInfo; inSize: number; outSize: number } {
  return {
    g: withBatch(g, end - start),
    inSize: g.inChannels * g.inHeight * g.inWidth,
    outSize: g.inChannels * g.outHeight * g.outWidth,
  };
}

interface MaxPoolArgs {
  out: FloatArray;
  switches: Int32Array;
  x: FloatArray;
  g: ConvInfo;
}

export function maxPoolPart(a: MaxPoolArgs, start: number, end: number): void {
  const { g, inSize, outSize } = samples(a.g, start, end);
  maxPool2dInto(a.out.subarray(start * outSize, end * outSize), a.switches.subarray(start * outSize, end * outSize), a.x.subarray(start * inSize, end * inSize), g);
}

interface MaxPoolBackwardArgs {
  gx: FloatArray;
  gy: FloatArray;
  switches: Int32Array;
  g: ConvInfo;
}

export function maxPoolBackwardPart(a: MaxPoolBackwardArgs, start: number, end: number): void {
  const { g, inSize, outSize } = samples(a.g, start, end);
  const gx = a.gx.subarray(start * inSize, end * inSize);
  maxPool2dBackwardInto(gx, a.gy.subarray(start * outSize, end * outSize), a.switches.subarray(start * outSize, end * outSize), g);
}

type Kernel = (out: FloatArray, x: FloatArray) => void;
type BackwardKernel = (gx: FloatArray, gy: FloatArray, y: FloatArray) => void;

/** The activations by name. */
const ACTIVATIONS: Record<ActivationName, [Kernel, BackwardKernel]> = {
  tanh: [tanhInto, tanhBackwardInto],
  sigmoid: [sigmoidInto, sigmoidBackwardInto],
  relu: [reluInto, reluBackwardInto],
};

/** The elementwise activations with a threaded kernel. */
export type ActivationName = 'tanh' | 'sigmoid' | 'relu';

interface ActivationArgs {
  name: ActivationName;
  out: FloatArray;
  x: FloatArray;
  /** Backward only: the kept output y. */
  y: FloatArray | null;
}

export function activationPart(a: ActivationArgs, start: number, end: number): void {
  const [forward, backward] = ACTIVATIONS[a.name];
  if (a.y === null) forward(a.out.subarray(start, end), a.x.subarray(start, end));
  else backward(a.out.subarray(start, end), a.x.subarray(start, end), a.y.subarray(start, end));
}

const maxPoolTask = defineTask(here, 'maxPoolPart', maxPoolPart);
const maxPoolBackwardTask = defineTask(here, 'maxPoolBackwardPart', maxPoolBackwardPart);
const activationTask = defineTask(here, 'activationPart', activationPart);

/** Threads for an elementwise or pooling kernel over `n` elements of the given arrays: 1 unless all are shared. */
function threadsFor(pool: WorkerPool, n: number, arrays: readonly ArrayBufferView[]): number {
  return n < MIN_ELEMENTWISE || !arrays.every(isShared) ? 1 : pool.threads;
}

/** maxPool2dInto on the pool, by blocks of samples (switches in shared memory: sharedInt32Array). */
export function maxPool2dParallelInto(out: FloatArray, switches: Int32Array, x: FloatArray, g: ConvInfo, pool: WorkerPool): void {
  const parts = splitRange(g.batch, threadsFor(pool, x.length, [out, switches, x]));
  if (parts.length < 2) maxPool2dInto(out, switches, x, g);
  else pool.run(maxPoolTask, { out, switches, x, g }, parts);
}

/** maxPool2dBackwardInto on the pool (it sets every element of gx), by blocks of samples. */
export function maxPool2dBackwardParallelInto(gx: FloatArray, gy: FloatArray, switches: Int32Array, g: ConvInfo, pool: WorkerPool): void {
  const parts = splitRange(g.batch, threadsFor(pool, gx.length, [gx, gy, switches]));
  if (parts.length < 2) maxPool2dBackwardInto(gx, gy, switches, g);
  else pool.run(maxPoolBackwardTask, { gx, gy, switches, g }, parts);
}

/**
 * The activation `name` on the pool: out = f(x) when `y` is null, else the backward product
 * out = gy f'(from y) with `x` holding gy.
 */
export function activationParallelInto(name: ActivationName, out: FloatArray, x: FloatArray, y: FloatArray | null, pool: WorkerPool): void {
  const arrays = y === null ? [out, x] : [out, x, y];
  const parts = splitRange(x.length, threadsFor(pool, x.length, arrays), 1024);
  if (parts.length < 2) activationPart({ name, out, x, y }, 0, x.length);
  else pool.run(activationTask, { name, out, x, y }, parts);
}
