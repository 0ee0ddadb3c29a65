import {
  SLOTS,
  builtModule,
  defineTask,
  isShared,
  sampleSizes,
  sharedArrayFor,
  sharedScratch,
  splitRange,
  stage,
  withBatch,
  type ConvInfo,
  type Dtype,
  type FloatArray,
  type WorkerPool,
} from '@convlab/core';
import { spectralGeometry, type SpectralGeometry } from './conv-geometry.js';
import { forwardProductInto, gradInputProductInto, gradWeightProductInto } from './conv-products.js';
import { gradSpectrumOf, inputSpectrumOf, weightSpectrumOf, type GradSpectrum, type InputSpectrum, type WeightSpectrum } from './conv-spectra.js';

/*
 * The spectral conv2d and its gradients on all threads, destination-first like core's
 * conv2d-parallel.ts. The batch is cut into one fixed block of samples per thread (core's
 * splitRange), and each thread keeps the spectra of its block where it made them: forward
 * transforms the block's inputs (and the weights, once per thread), the weight gradient transforms
 * the block's output gradient and meets the kept input spectrum, the input gradient meets the same
 * gradient spectrum and the kept weight spectrum. Forward and input gradient are per sample, so
 * they are bit for bit the single-threaded plan's; the weight gradient is summed per block in
 * doubles and the blocks added in block order: identical from run to run for a given thread count.
 *
 * Spectra live in the thread that runs a part (workers keep theirs between calls). A part that
 * finds none, or some from another pass, recomputes them from the operands, which stay in shared
 * memory, so the result never depends on which thread ran what.
 */

interface PartArgs {
  /** The plan; with the part number it names the thread's spectra. */
  key: number;
  /** Counts forward passes of the plan: spectra from another pass are recomputed. */
  generation: number;
  /** Counts output gradients: a part reuses its gradient spectrum only for the same one. */
  gradPass: number;
  x: FloatArray;
  w: FloatArray;
  b: FloatArray | null;
  info: ConvInfo;
  out: FloatArray | null;
  gy: FloatArray | null;
  /** The weight gradient's partial sums, float64, one block of `w.length` per part. */
  partials: Float64Array | null;
}

/** The spectra one thread keeps for one part of one plan. */
interface PartSpectra {
  generation: number;
  gradPass: number;
  geometry?: SpectralGeometry;
  input?: InputSpectrum;
  weight?: WeightSpectrum;
  grad?: GradSpectrum;
}

/** Spectra of the most recently used (plan, part) pairs in this thread; older ones are dropped (and recomputed if needed). */
const MAX_PARTS = 16;
const kept = new Map<string, PartSpectra>();

function spectraFor(key: number, part: number): PartSpectra {
  const id = `${key}:${part}`;
  const entry = kept.get(id) ?? { generation: -1, gradPass: -1 };
  kept.delete(id);
  kept.set(id, entry);
  if (kept.size > MAX_PARTS) kept.delete(kept.keys().next().value!);
  return entry;
}

function dtypeOfArray(a: FloatArray): Dtype {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

/** The input and weight spectra of samples [start, end) for this pass, computed unless the part kept them. */
function forwardSpectra(a: PartArgs, start: number, end: number, part: number): { s: PartSpectra; info: ConvInfo } {
  const s = spectraFor(a.key, part);
  const info = withBatch(a.info, end - start);
  if (s.generation === a.generation) return { s, info };
  // The geometry depends on neither the batch nor the values: computed once per part.
  s.geometry ??= spectralGeometry(info);
  const per = sampleSizes(info).input;
  s.input = inputSpectrumOf(a.x.subarray(start * per, end * per), dtypeOfArray(a.x), info, s.input?.data, s.geometry);
  s.weight = weightSpectrumOf(a.w, dtypeOfArray(a.w), info, s.weight?.data, s.geometry);
  s.generation = a.generation;
  s.gradPass = -1;
  return { s, info };
}

/** The spectrum of the output gradient of samples [start, end), reused when this part made it for the same gy. */
function gradSpectrum(a: PartArgs, s: PartSpectra, info: ConvInfo, start: number, end: number): GradSpectrum {
  if (s.gradPass === a.gradPass && s.grad) return s.grad;
  const per = sampleSizes(info).output;
  s.grad = gradSpectrumOf(a.gy!.subarray(start * per, end * per), dtypeOfArray(a.gy!), info, s.grad?.data, s.geometry);
  s.gradPass = a.gradPass;
  return s.grad;
}

/** Forward conv of samples [start, end), into their rows of the shared output. */
export function spectralForwardPart(a: PartArgs, start: number, end: number, part: number): void {
  const { s, info } = forwardSpectra(a, start, end, part);
  const per = sampleSizes(info).output;
  forwardProductInto(a.out!.subarray(start * per, end * per), s.input!, s.weight!, a.b);
}

/** The weight gradient of samples [start, end), unrounded, into the part's float64 block of the partials. */
export function spectralGradWeightPart(a: PartArgs, start: number, end: number, part: number): void {
  const { s, info } = forwardSpectra(a, start, end, part);
  const size = a.w.length;
  gradWeightProductInto(a.partials!.subarray(part * size, (part + 1) * size), s.input!, gradSpectrum(a, s, info, start, end));
}

/** dL/dx of samples [start, end), into their rows of the shared input gradient (`out`). */
export function spectralGradInputPart(a: PartArgs, start: number, end: number, part: number): void {
  const { s, info } = forwardSpectra(a, start, end, part);
  const per = sampleSizes(info).input;
  gradInputProductInto(a.out!.subarray(start * per, end * per), gradSpectrum(a, s, info, start, end), s.weight!);
}

const here = builtModule('../dist/spectral-parallel.js', import.meta.url);
const forwardTask = defineTask(here, 'spectralForwardPart', spectralForwardPart);
const gradWeightTask = defineTask(here, 'spectralGradWeightPart', spectralGradWeightPart);
const gradInputTask = defineTask(here, 'spectralGradInputPart', spectralGradInputPart);

/**
 * What a plan keeps for its threaded passes: the operands of the last forward pass in shared
 * memory (the threads recompute spectra from them when theirs are stale) and the pass counters.
 */
export interface SpectralThreadsState {
  readonly key: number;
  generation: number;
  gradPass: number;
  info?: ConvInfo;
  /** The caller's input when it is shared (a layer's input must not change before its backward pass), else `xCopy`. */
  x?: FloatArray;
  xCopy?: FloatArray;
  w?: FloatArray;
  b?: FloatArray | null;
  /** The arrays forward and the last gradWeight were given, to recognise them in the gradient calls. */
  xGiven?: FloatArray;
  wGiven?: FloatArray;
  gyGiven?: FloatArray;
}

let nextKey = 0;

export function spectralThreadsState(): SpectralThreadsState {
  return { key: nextKey++, generation: 0, gradPass: 0 };
}

/** A shared copy of `data` in `own` (reallocated only when the size or dtype changes), for operands kept across calls. */
function keep(own: FloatArray | undefined | null, data: FloatArray): FloatArray {
  const fits = own && own.length === data.length && dtypeOfArray(own) === dtypeOfArray(data);
  const out = fits ? own : sharedArrayFor(dtypeOfArray(data), data.length);
  out.set(data);
  return out;
}

function args(state: SpectralThreadsState, extra: Partial<PartArgs>): PartArgs {
  return {
    key: state.key,
    generation: state.generation,
    gradPass: state.gradPass,
    x: state.x!,
    w: state.w!,
    b: state.b ?? null,
    info: state.info!,
    out: null,
    gy: null,
    partials: null,
    ...extra,
  };
}

/** Runs `fill(target)` on a shared stand-in for `target` when it is not shared, then copies the result back. */
function intoShared(target: FloatArray, length: number, fill: (shared: FloatArray) => void): void {
  const out = isShared(target) ? target : sharedScratch(dtypeOfArray(target), SLOTS.out, length);
  fill(out);
  if (out !== target) target.set(out.subarray(0, length));
}

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias on the pool's threads; the state keeps what the gradients need. */
export function spectralConv2dParallelInto(
  state: SpectralThreadsState,
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  info: ConvInfo,
  pool: WorkerPool,
): void {
  // Input, weights and bias must outlive this call (the gradients may recompute spectra from them).
  state.x = isShared(x) ? x : (state.xCopy = keep(state.xCopy, x));
  state.w = keep(state.w, w);
  state.b = bias === null ? null : keep(state.b, bias);
  state.info = info;
  state.xGiven = x;
  state.wGiven = w;
  state.gyGiven = undefined;
  state.generation++;
  intoShared(out, sampleSizes(info).output * info.batch, (shared) =>
    pool.run(forwardTask, args(state, { out: shared }), splitRange(info.batch, pool.threads)),
  );
}

/** gw = dL/dw of the state's forward pass for gy, on the pool's threads: block sums added in block order. */
export function spectralGradWeightParallelInto(state: SpectralThreadsState, gw: FloatArray, gy: FloatArray, pool: WorkerPool): void {
  const info = state.info!;
  const parts = splitRange(info.batch, pool.threads);
  const size = state.w!.length;
  const partials = sharedScratch('float64', SLOTS.sums, parts.length * size) as Float64Array;
  state.gradPass++;
  state.gyGiven = gy;
  const g = stage(gy, SLOTS.in1, gy.length);
  pool.run(gradWeightTask, args(state, { gy: g, partials }), parts);
  for (let i = 0; i < size; i++) {
    let sum = partials[i]!;
    for (let q = 1; q < parts.length; q++) sum += partials[q * size + i]!;
    gw[i] = sum;
  }
}

/** gx = dL/dx of the state's forward pass for gy, on the pool's threads (each part reuses its gy spectrum from gradWeight). */
export function spectralGradInputParallelInto(state: SpectralThreadsState, gx: FloatArray, gy: FloatArray, pool: WorkerPool): void {
  const info = state.info!;
  if (state.gyGiven !== gy) state.gradPass++;
  state.gyGiven = undefined;
  const g = stage(gy, SLOTS.in1, gy.length);
  intoShared(gx, sampleSizes(info).input * info.batch, (shared) =>
    pool.run(gradInputTask, args(state, { gy: g, out: shared }), splitRange(info.batch, pool.threads)),
  );
}

