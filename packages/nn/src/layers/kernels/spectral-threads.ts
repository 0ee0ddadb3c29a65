import { SLOTS, arrayFor, builtModule, convInfo, defaultPool, defineTask, dense, fromDense, isShared, sharedArrayFor, sharedScratch, splitRange } from '@convlab/core';
import type { Conv2dOptions, Dtype, FloatArray, Tensor, WorkerPool } from '@convlab/core';
import { SpectralConv2d } from '@convlab/fft';
import type { Conv2dGradients } from '@convlab/fft';

/*
 * The spectral conv2d on all threads. The batch is cut into one fixed block of samples per thread
 * (core's splitRange), and each thread keeps its own SpectralConv2d plan for its block: forward
 * transforms the block's inputs (and the weights, once per thread) and keeps the spectra where
 * they were made, backward transforms the block's output gradient and meets the kept spectra.
 * Forward and input gradient are per sample, so they are bit for bit the single plan's; the
 * weight and bias gradients are summed per block in doubles and the blocks added in block order:
 * identical from run to run for a given thread count.
 *
 * Plans live in the thread that runs a part (workers keep theirs between calls). A part that finds
 * no plan, or one from another forward pass, recomputes the spectra from the input, which stays
 * in shared memory, so the result never depends on which thread ran what.
 */

interface PartArgs {
  /** The layer; with the part number it names the plan. */
  key: number;
  /** Counts forward passes of the layer: spectra from another pass are recomputed. */
  generation: number;
  x: FloatArray;
  xShape: number[];
  w: FloatArray;
  wShape: number[];
  b: FloatArray | null;
  options: Conv2dOptions;
  out: FloatArray | null;
  gy: FloatArray | null;
  gx: FloatArray | null;
  /** Per part: its weight gradient, then its bias gradient, float64, side by side. */
  partials: Float64Array | null;
}

/** Plans of the most recently used (layer, part) pairs in this thread; older ones are dropped (and recomputed if needed). */
const MAX_PLANS = 16;
const plans = new Map<string, { plan: SpectralConv2d; generation: number }>();

function planFor(a: PartArgs, part: number): { plan: SpectralConv2d; generation: number } {
  const id = `${a.key}:${part}`;
  let entry = plans.get(id);
  if (entry) plans.delete(id);
  else entry = { plan: new SpectralConv2d(a.options), generation: -1 };
  plans.set(id, entry);
  if (plans.size > MAX_PLANS) plans.delete(plans.keys().next().value!);
  return entry;
}

/** Forward conv of samples [start, end) through this thread's plan. */
export function spectralForwardPart(a: PartArgs, start: number, end: number, part: number): void {
  const [, c, h, w] = a.xShape as [number, number, number, number];
  const entry = planFor(a, part);
  const x = fromDense(a.x.subarray(start * c * h * w, end * c * h * w), [end - start, c, h, w]);
  const info = convInfo(x.shape, a.wShape, a.options, 'Conv2d');
  const perSample = info.outChannels * info.outHeight * info.outWidth;
  // The block's rows of the shared output, written in place (none when only the spectra are wanted).
  const out = a.out === null ? undefined : fromDense(a.out.subarray(start * perSample, end * perSample), [end - start, info.outChannels, info.outHeight, info.outWidth]);
  entry.plan.forward(x, fromDense(a.w, a.wShape), a.b === null ? null : fromDense(a.b, [a.wShape[0]!]), out);
  entry.generation = a.generation;
}

/** The gradients of samples [start, end) from the spectra this thread kept in forward. */
export function spectralBackwardPart(a: PartArgs, start: number, end: number, part: number): void {
  let entry = planFor(a, part);
  if (entry.generation !== a.generation) {
    spectralForwardPart(a, start, end, part);
    entry = planFor(a, part);
  }
  const info = entry.plan.info!;
  const outSize = info.outChannels * info.outHeight * info.outWidth;
  const gy = fromDense(a.gy!.subarray(start * outSize, end * outSize), [end - start, info.outChannels, info.outHeight, info.outWidth]);
  const perSample = info.inChannels * info.inHeight * info.inWidth;
  const wSize = a.w.length;
  const at = part * (wSize + info.outChannels);
  // Everything lands in place: dL/dx in the block's rows of the shared gx, the block's weight and
  // bias sums unrounded in its float64 slot of the partials.
  entry.plan.backward(
    gy,
    { input: a.gx !== null, weight: true, bias: a.b !== null },
    {
      gradInput: a.gx === null ? undefined : fromDense(a.gx.subarray(start * perSample, end * perSample), [end - start, info.inChannels, info.inHeight, info.inWidth]),
      gradWeight: fromDense(a.partials!.subarray(at, at + wSize), a.wShape),
      gradBias: fromDense(a.partials!.subarray(at + wSize, at + wSize + info.outChannels), [info.outChannels]),
    },
  );
}

const here = builtModule('../../../dist/layers/kernels/spectral-threads.js', import.meta.url);
const forwardTask = defineTask(here, 'spectralForwardPart', spectralForwardPart);
const backwardTask = defineTask(here, 'spectralBackwardPart', spectralBackwardPart);

let nextKey = 0;

function dtypeOfArray(a: FloatArray): Dtype {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

/** `data` in shared memory: itself, or a copy into the shared work buffer `slot` (valid during one call). */
function shared(data: FloatArray, slot: string): FloatArray {
  if (isShared(data)) return data;
  const out = sharedScratch(dtypeOfArray(data), slot, data.length).subarray(0, data.length);
  out.set(data);
  return out;
}

/** `own` when it has this dtype and length, else a new array. */
function reuse(own: FloatArray | undefined, dtype: Dtype, length: number): FloatArray {
  return own !== undefined && own.length === length && dtypeOfArray(own) === dtype ? own : arrayFor(dtype, length);
}

/** A shared copy of `data` in `own` (reallocated only when the size or dtype changes), for values kept across calls. */
function keep(own: FloatArray | undefined, data: FloatArray): FloatArray {
  const fits = own !== undefined && own.length === data.length && dtypeOfArray(own) === dtypeOfArray(data);
  const out = fits ? own : sharedArrayFor(dtypeOfArray(data), data.length);
  out.set(data);
  return out;
}

/**
 * SpectralConv2d's forward/backward on a worker pool (default: core's `defaultPool()`, sized by
 * `setNumThreads`). Returns fresh tensors, as the single plan does, unless given the array to
 * write the output (forward) or dL/dx (backward) into; one in shared memory is written by the
 * workers directly, with no copy. The weight and bias gradients are the plan's own arrays, valid
 * until its next backward pass (a layer adds them to its parameters' gradients at once).
 */
export class ThreadedSpectralConv2d {
  private readonly key = nextKey++;
  private generation = 0;
  /** The input of the last forward pass: the caller's array when it is shared, else `xCopy`. */
  private x?: FloatArray;
  private xCopy?: FloatArray;
  private xShape: number[] = [];
  private w?: FloatArray;
  private wShape: number[] = [];
  private b: FloatArray | null = null;
  /** The weight and bias gradients backward returns: the plan's own, valid until its next backward. */
  private gradWeight?: FloatArray;
  private gradBias?: FloatArray;

  constructor(
    readonly options: Conv2dOptions = {},
    readonly pool?: WorkerPool,
  ) {}

  private get threads(): WorkerPool {
    return this.pool ?? defaultPool();
  }

  private args(extra: Partial<PartArgs>): PartArgs {
    return {
      key: this.key,
      generation: this.generation,
      x: this.x!,
      xShape: this.xShape,
      w: this.w!,
      wShape: this.wShape,
      b: this.b,
      options: this.options,
      out: null,
      gy: null,
      gx: null,
      partials: null,
      ...extra,
    };
  }

  /** conv2d(x, w) + b [N, K, Ho, Wo], into `into` when given (its length is the output's size). */
  forward(x: Tensor, w: Tensor, b: Tensor | null, into?: FloatArray): Tensor {
    const info = convInfo(x.shape, w.shape, this.options, 'Conv2d');
    const pool = this.threads;
    const xData = dense(x).data;
    // Input, weights and bias must outlive this call (backward may recompute spectra from them):
    // an input in shared memory is kept by reference (a layer's input must not change between its
    // forward and backward passes), others as shared copies.
    this.x = isShared(xData) ? xData : (this.xCopy = keep(this.xCopy, xData));
    this.xShape = [...x.shape];
    this.w = keep(this.w, dense(w).data);
    this.wShape = [...w.shape];
    this.b = b === null ? null : keep(this.b ?? undefined, dense(b).data);
    this.generation++;
    const shape = [info.batch, info.outChannels, info.outHeight, info.outWidth];
    const size = shape[0]! * shape[1]! * shape[2]! * shape[3]!;
    const target = into ?? arrayFor(dtypeOfArray(xData), size);
    const out = isShared(target) ? target : sharedScratch(dtypeOfArray(xData), SLOTS.out, size);
    pool.run(forwardTask, this.args({ out }), splitRange(info.batch, pool.threads));
    if (out !== target) target.set(out.subarray(0, size));
    return fromDense(target, shape);
  }

  /**
   * The gradients of the last forward pass for the output gradient gy (`wants` as
   * SpectralConv2d.backward); dL/dx into `gradInputInto` when given.
   */
  backward(gy: Tensor, wants: { input?: boolean; weight?: boolean; bias?: boolean } = {}, gradInputInto?: FloatArray): Conv2dGradients {
    if (!this.x) throw new Error('Conv2d: backward called before forward');
    const pool = this.threads;
    const batch = this.xShape[0]!;
    const parts = splitRange(batch, pool.threads);
    const dtype = dtypeOfArray(this.x);
    const wSize = this.w!.length;
    const k = this.wShape[0]!;
    const stride = wSize + k;
    const xSize = this.x.length;
    const target = wants.input ?? true ? (gradInputInto ?? arrayFor(dtype, xSize)) : null;
    const gx = target === null || isShared(target) ? target : sharedScratch(dtype, SLOTS.out, xSize);
    const partials = sharedScratch('float64', SLOTS.sums, parts.length * stride) as Float64Array;
    const g = shared(dense(gy).data, SLOTS.in1);
    pool.run(backwardTask, this.args({ gy: g, gx, partials }), parts);
    // The blocks' sums in block order, rounded once.
    const gw = (this.gradWeight = reuse(this.gradWeight, dtype, wSize));
    const gb = (this.gradBias = reuse(this.gradBias, dtype, k));
    for (let i = 0; i < stride; i++) {
      let sum = partials[i]!;
      for (let q = 1; q < parts.length; q++) sum += partials[q * stride + i]!;
      if (i < wSize) gw[i] = sum;
      else gb[i - wSize] = sum;
    }
    const out: Conv2dGradients = {};
    if (target) {
      if (gx !== target) target.set(gx!.subarray(0, xSize));
      out.gradInput = fromDense(target, this.xShape);
    }
    if (wants.weight ?? true) out.gradWeight = fromDense(gw, this.wShape);
    if ((wants.bias ?? true) && this.b !== null) out.gradBias = fromDense(gb, [k]);
    return out;
  }
}
