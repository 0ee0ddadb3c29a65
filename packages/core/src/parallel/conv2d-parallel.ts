import { optionsObject } from '../options.js';
import type { FloatArray } from '../tensor.js';
import { chooseConv2dMethod } from '../conv/conv-method.js';
import { convSizes, type ConvInfo } from '../conv/conv-info.js';
import { implicitGradWeightTiles, implicitIm2colChosen } from '../conv/implicit-im2col.js';
import { poolOf } from './default-pool.js';
import type { WorkerPool } from './pool.js';
import { MIN_PARALLEL_WORK, type ParallelOptions } from './gemm-parallel.js';
import {
  conv2dGradBiasTask,
  conv2dGradInputTask,
  conv2dGradWeightTask,
  conv2dGradWeightChannelsTask,
  conv2dGradWeightTapsTask,
  conv2dGradWeightTilesTask,
  conv2dGradWeightInto,
  conv2dTask,
  type CoreKernel,
} from './kernel-tasks.js';
import { splitRange, type Range } from './partition.js';
import { SLOTS, sharedScratch, stage, unstage } from './shared.js';

/*
 * Batched conv2d and its gradients on all threads, destination-first like the kernels they split.
 * The batch is cut into one fixed block of samples per thread; each block runs core's direct or
 * im2col kernel. Forward and input gradient are per-sample, so they equal the single-threaded
 * result bit for bit. The weight gradient sums over samples: with im2col it is split by blocks of
 * dW instead (register tiles of the implicit path; output channels or taps of the explicit one,
 * one group), each thread running the whole batch for its block, which again gives the
 * single-threaded result bit for bit; otherwise each block of samples is summed in doubles and the
 * blocks are added in block order, bit-identical from run to run for a given thread count and
 * equal to the single-threaded sum within double round-off.
 */

export interface Conv2dParallelOptions extends ParallelOptions {
  /** Kernel each thread runs (default: core's `chooseConv2dMethod`). */
  method?: CoreKernel;
}

function strategy(info: ConvInfo, method: CoreKernel | undefined, who: string): CoreKernel {
  if (method === undefined) return chooseConv2dMethod(info);
  if (method !== 'direct' && method !== 'im2col') {
    throw new Error(`${who}: method must be 'direct' or 'im2col', got ${JSON.stringify(method)}`);
  }
  return method;
}

function checkLength(who: string, name: string, array: FloatArray, want: number): void {
  if (array.length < want) throw new Error(`${who}: ${name} holds ${array.length} elements, the ConvInfo needs ${want}`);
}

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias, the batch split across threads. */
export function conv2dParallelInto(
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  info: ConvInfo,
  optionsIn: Conv2dParallelOptions | null = {},
): void {
  const who = 'conv2dParallel';
  const options = optionsObject(optionsIn, who);
  const method = strategy(info, options.method, who);
  const size = convSizes(info);
  checkLength(who, 'out', out, size.output);
  checkLength(who, 'input', x, size.input);
  checkLength(who, 'weight', w, size.weight);
  if (bias !== null) checkLength(who, 'bias', bias, info.outChannels);
  const pool = poolOf(options.pool);
  const parts = splitRange(info.batch, threadsFor(info.work, pool, options));
  if (parts.length < 2) {
    conv2dTask.run({ out, x, w, bias, info, method }, 0, info.batch, 0);
    return;
  }
  const so = stage(out, SLOTS.out, size.output, false);
  const args = {
    out: so,
    x: stage(x, SLOTS.in1, size.input),
    w: stage(w, SLOTS.in2, size.weight),
    bias: bias === null ? null : stage(bias, SLOTS.in3, info.outChannels),
    info,
    method,
  };
  pool.run(conv2dTask, args, parts);
  unstage(out, so, size.output);
}

/** All the pool's threads, or 1 for work too small to be worth a round trip to the workers. */
function threadsFor(work: number, pool: WorkerPool, options: Conv2dParallelOptions): number {
  return work < (options.minWork ?? MIN_PARALLEL_WORK) ? 1 : pool.threads;
}

/** gx [N, C, H, W] = dL/dx of conv2d, the batch split across threads. */
export function conv2dGradInputParallelInto(
  gx: FloatArray,
  gy: FloatArray,
  w: FloatArray,
  info: ConvInfo,
  optionsIn: Conv2dParallelOptions | null = {},
): void {
  const who = 'conv2dGradInputParallel';
  const options = optionsObject(optionsIn, who);
  const method = strategy(info, options.method, who);
  const size = convSizes(info);
  checkLength(who, 'gx', gx, size.input);
  checkLength(who, 'gy', gy, size.output);
  checkLength(who, 'weight', w, size.weight);
  const pool = poolOf(options.pool);
  const parts = splitRange(info.batch, threadsFor(info.work, pool, options));
  if (parts.length < 2) {
    conv2dGradInputTask.run({ gx, gy, w, info, method }, 0, info.batch, 0);
    return;
  }
  const sgx = stage(gx, SLOTS.out, size.input, false);
  const args = {
    gx: sgx,
    gy: stage(gy, SLOTS.in1, size.output),
    w: stage(w, SLOTS.in2, size.weight),
    info,
    method,
  };
  pool.run(conv2dGradInputTask, args, parts);
  unstage(gx, sgx, size.input);
}

/** How the im2col weight gradient (one group) is split: by output channels (rows of dW) or by taps (its columns). */
export type WeightGradSplit = 'channels' | 'taps';

/**
 * For the explicit im2col path (deep products; shallow ones split register tiles, see below), the
 * split whose largest part costs least, estimated per output position and sample: a part of
 * k channels builds every im2col row (2R element copies: im2col, then GEMM packing) and packs its
 * k rows of gy; a part of r taps builds only its r rows (2r copies) and packs all K rows of gy;
 * both then run (their rows / 4) x (their columns / 4) register tiles of 16 multiply-adds, each
 * weighted 0.3 of a copy (about 0.3 ns a multiply-add in the GEMM's tile against 1 ns an element
 * copied, on this project's 2-core machine). LeNet-5's second layer through im2col (K = 50,
 * R = 500) splits by taps.
 */
export function weightGradSplit(info: ConvInfo, threads: number): { split: WeightGradSplit; parts: Range[] } {
  const k = info.outChannels;
  const r = info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  const tiles = (n: number) => Math.ceil(n / 4);
  const cost = (copies: number, rowTiles: number, colTiles: number) => copies + 0.3 * 16 * rowTiles * colTiles;
  const byChannels = splitRange(k, threads, 4);
  const byTaps = splitRange(r, threads, 4);
  const channelCost = Math.max(...byChannels.map(([s, e]) => cost(2 * r + (e - s), tiles(e - s), tiles(r))));
  const tapCost = Math.max(...byTaps.map(([s, e]) => cost(2 * (e - s) + k, tiles(k), tiles(e - s))));
  return tapCost < channelCost ? { split: 'taps', parts: byTaps } : { split: 'channels', parts: byChannels };
}

/**
 * The implicit im2col weight gradient's split: its register tiles (all of one cost) in equal runs,
 * one per thread. LeNet-5's first layer has 10 filter pairs x 5 blocks of 5 taps: 25 tiles a thread.
 */
export function implicitWeightGradParts(info: ConvInfo, threads: number): Range[] {
  return splitRange(implicitGradWeightTiles(info), threads);
}

/**
 * gw [K, C/groups, kh, kw] = dL/dw of conv2d. im2col on the implicit path (`implicitIm2colChosen`):
 * the register tiles of dW in equal runs, one per thread (`implicitWeightGradParts`). Explicit im2col with one
 * group: split by output channels or by taps (`weightGradSplit`). Either way each thread sums the
 * whole batch in doubles for its block of dW into a shared Float64 buffer, rounded once into `gw`:
 * every element gets the single-threaded arithmetic, the same result at any thread count.
 * Otherwise each thread sums its block of samples into its own Float64 partial, and the partials
 * are added in block order and rounded once.
 */
export function conv2dGradWeightParallelInto(
  gw: FloatArray,
  x: FloatArray,
  gy: FloatArray,
  info: ConvInfo,
  optionsIn: Conv2dParallelOptions | null = {},
): void {
  const who = 'conv2dGradWeightParallel';
  const options = optionsObject(optionsIn, who);
  const method = strategy(info, options.method, who);
  const size = convSizes(info);
  checkLength(who, 'gw', gw, size.weight);
  checkLength(who, 'input', x, size.input);
  checkLength(who, 'gy', gy, size.output);
  const pool = poolOf(options.pool);
  const threads = threadsFor(info.work, pool, options);
  if (method === 'im2col' && implicitIm2colChosen(info, x, gy)) {
    const parts = implicitWeightGradParts(info, threads);
    if (parts.length < 2) {
      conv2dGradWeightInto(gw, x, gy, info, method);
      return;
    }
    const acc = sharedScratch('float64', SLOTS.sums, size.weight) as Float64Array;
    pool.run(conv2dGradWeightTilesTask, { acc, x: stage(x, SLOTS.in1, size.input), gy: stage(gy, SLOTS.in2, size.output), info }, parts);
    for (let i = 0; i < size.weight; i++) gw[i] = acc[i]!;
    return;
  }
  const whole = method === 'im2col' && info.groups === 1 ? weightGradSplit(info, threads) : null;
  const parts = whole ? whole.parts : splitRange(info.batch, threads);
  if (parts.length < 2) {
    conv2dGradWeightInto(gw, x, gy, info, method);
    return;
  }
  const sx = stage(x, SLOTS.in1, size.input);
  const sgy = stage(gy, SLOTS.in2, size.output);
  if (whole) {
    const acc = sharedScratch('float64', SLOTS.sums, size.weight) as Float64Array;
    const task = whole.split === 'taps' ? conv2dGradWeightTapsTask : conv2dGradWeightChannelsTask;
    pool.run(task, { gw: acc, x: sx, gy: sgy, info }, parts);
    for (let i = 0; i < size.weight; i++) gw[i] = acc[i]!;
    return;
  }
  const partials = sharedScratch('float64', SLOTS.sums, parts.length * size.weight) as Float64Array;
  pool.run(conv2dGradWeightTask, { partials, size: size.weight, x: sx, gy: sgy, info, method }, parts);
  const count = parts.length;
  for (let i = 0; i < size.weight; i++) {
    let sum = partials[i]!;
    for (let q = 1; q < count; q++) sum += partials[q * size.weight + i]!;
    gw[i] = sum;
  }
}

/** gb [K] = dL/db of conv2d (gy summed over samples and positions), the channels split across threads. */
export function conv2dGradBiasParallelInto(gb: FloatArray, gy: FloatArray, info: ConvInfo, optionsIn: ParallelOptions | null = {}): void {
  const who = 'conv2dGradBiasParallel';
  const options = optionsObject(optionsIn, who);
  const size = convSizes(info);
  checkLength(who, 'gb', gb, info.outChannels);
  checkLength(who, 'gy', gy, size.output);
  const pool = poolOf(options.pool);
  const plane = info.outHeight * info.outWidth;
  const parts = splitRange(info.outChannels, threadsFor(size.output, pool, options));
  const args = { gb, gy, batch: info.batch, channels: info.outChannels, plane };
  if (parts.length < 2) {
    conv2dGradBiasTask.run(args, 0, info.outChannels, 0);
    return;
  }
  const sgb = stage(gb, SLOTS.out, info.outChannels, false);
  pool.run(conv2dGradBiasTask, { ...args, gb: sgb, gy: stage(gy, SLOTS.in1, size.output) }, parts);
  unstage(gb, sgb, info.outChannels);
}
