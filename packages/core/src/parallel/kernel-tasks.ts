import type { FloatArray } from '../tensor.js';
import { sampleSizes, withBatch, type ConvInfo } from '../conv/conv-info.js';
import type { ConvMethod } from '../conv/conv-method.js';
import { conv2dDirectInto, conv2dGradInputDirectInto, conv2dGradWeightDirectInto } from '../conv/direct.js';
import { conv2dGradInputIm2colInto, conv2dGradWeightIm2colInto, conv2dIm2colInto } from '../conv/im2col-conv.js';
import { im2colColumns, im2colInto, im2colRows, im2colRowsInto } from '../conv/im2col.js';
import { implicitGradWeightTilesInto } from '../conv/implicit-im2col.js';
import { dtypeOf } from '../tensor.js';
import { scratch } from '../linalg/scratch.js';
import type { GemmArgs } from '../linalg/gemm-args.js';
import { gemmInto } from '../linalg/gemm.js';
import { builtModule, defineTask } from './task.js';

/*
 * The per-range bodies of the threaded kernels. Each calls a single-threaded kernel of core on a
 * sub-problem: a block of GEMM rows (or columns), or a block of batch samples through a ConvInfo
 * whose batch is the block's size and views that start at the block's first sample. Every output
 * element is then computed by exactly the same arithmetic as in the single-threaded kernel. The
 * weight gradient, a sum over samples, is split in the im2col strategy by register tiles (implicit
 * path), output channels or taps (explicit path), each part running the whole batch for its block
 * of dW: again the single-threaded arithmetic; otherwise into per-part partial sums over blocks of
 * samples that the caller adds in part order.
 *
 * Workers import this module from dist/ (see the task URLs); the calling thread runs the same
 * functions directly.
 */

const here = builtModule('../../dist/parallel/kernel-tasks.js', import.meta.url);

/** The kernels a worker runs: core's own strategies. */
export type CoreKernel = Exclude<ConvMethod, 'fft' | 'auto'>;

/** A GEMM split along the rows of C (or along its columns when `byColumns`). */
export interface GemmPartArgs extends GemmArgs {
  c: FloatArray;
  a: FloatArray;
  b: FloatArray;
  byColumns: boolean;
}

export function gemmPart(g: GemmPartArgs, start: number, end: number): void {
  if (g.byColumns) {
    // Columns [start, end) of op(B) and of C.
    gemmInto(g.c, g.a, g.b, g.m, end - start, g.k, {
      ...g,
      offsetB: g.offsetB + start * (g.transB ? g.ldb : 1),
      offsetC: g.offsetC + start,
    });
  } else {
    // Rows [start, end) of op(A) and of C.
    gemmInto(g.c, g.a, g.b, end - start, g.n, g.k, {
      ...g,
      offsetA: g.offsetA + start * (g.transA ? 1 : g.lda),
      offsetC: g.offsetC + start * g.ldc,
    });
  }
}


export interface Conv2dPartArgs {
  out: FloatArray;
  x: FloatArray;
  w: FloatArray;
  bias: FloatArray | null;
  info: ConvInfo;
  method: CoreKernel;
}

/** Forward conv2d of samples [start, end). */
export function conv2dPart(p: Conv2dPartArgs, start: number, end: number): void {
  const info = withBatch(p.info, end - start);
  const per = sampleSizes(info);
  const x = p.x.subarray(start * per.input, end * per.input);
  const out = p.out.subarray(start * per.output, end * per.output);
  if (p.method === 'direct') conv2dDirectInto(out, x, p.w, p.bias, info);
  else conv2dIm2colInto(out, x, p.w, p.bias, info);
}

export interface Conv2dGradInputPartArgs {
  gx: FloatArray;
  gy: FloatArray;
  w: FloatArray;
  info: ConvInfo;
  method: CoreKernel;
}

/** dL/dx of samples [start, end). */
export function conv2dGradInputPart(p: Conv2dGradInputPartArgs, start: number, end: number): void {
  const info = withBatch(p.info, end - start);
  const per = sampleSizes(info);
  const gx = p.gx.subarray(start * per.input, end * per.input);
  const gy = p.gy.subarray(start * per.output, end * per.output);
  if (p.method === 'direct') conv2dGradInputDirectInto(gx, gy, p.w, info);
  else conv2dGradInputIm2colInto(gx, gy, p.w, info);
}

export interface Conv2dGradWeightPartArgs {
  /** One Float64 weight-gradient block per part, side by side: part q owns [q * size, (q + 1) * size). */
  partials: Float64Array;
  size: number;
  x: FloatArray;
  gy: FloatArray;
  info: ConvInfo;
  method: CoreKernel;
}

/** The whole weight gradient on the calling thread: core's kernel of the chosen strategy. */
export function conv2dGradWeightInto(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo, method: CoreKernel): void {
  if (method === 'direct') conv2dGradWeightDirectInto(gw, x, gy, info);
  else conv2dGradWeightIm2colInto(gw, x, gy, info);
}

/** Part `part`'s sum over samples [start, end) of dL/dw, into its own block of `partials`. */
export function conv2dGradWeightPart(p: Conv2dGradWeightPartArgs, start: number, end: number, part: number): void {
  const info = withBatch(p.info, end - start);
  const per = sampleSizes(info);
  const x = p.x.subarray(start * per.input, end * per.input);
  const gy = p.gy.subarray(start * per.output, end * per.output);
  conv2dGradWeightInto(p.partials.subarray(part * p.size, (part + 1) * p.size), x, gy, info, p.method);
}

export interface Conv2dGradWeightChannelsArgs {
  gw: Float64Array;
  x: FloatArray;
  gy: FloatArray;
  info: ConvInfo;
}

/**
 * dL/dw for output channels [start, end) over the whole batch, im2col strategy, groups 1: core's
 * loop (conv2dGradWeightIm2colInto) restricted to those rows of the GEMM. The GEMM computes each
 * element of C the same way whatever rows it is given, so every part's rows are bit for bit the
 * single-threaded ones.
 */
export function conv2dGradWeightChannelsPart(p: Conv2dGradWeightChannelsArgs, start: number, end: number): void {
  const { info, x, gy, gw } = p;
  const rows = im2colRows(info);
  const positions = im2colColumns(info);
  const cols = scratch(dtypeOf(x), 'conv2dIm2col:cols', rows * positions);
  for (let n = 0; n < info.batch; n++) {
    im2colInto(cols, x, info, n);
    gemmInto(gw, gy, cols, end - start, rows, positions, {
      transB: true,
      offsetA: (n * info.outChannels + start) * positions,
      lda: positions,
      offsetC: start * rows,
      ldc: rows,
      beta: n === 0 ? 0 : 1,
    });
  }
}

/**
 * dL/dw for taps [start, end) (columns of the [K, C * kh * kw] weight matrix) over the whole
 * batch, im2col strategy, groups 1: each part builds only its rows of each sample's im2col matrix
 * and multiplies all of gy by them. The GEMM computes each element of C the same way whatever
 * columns it is given, so every part's columns are bit for bit the single-threaded ones.
 */
export function conv2dGradWeightTapsPart(p: Conv2dGradWeightChannelsArgs, start: number, end: number): void {
  const { info, x, gy, gw } = p;
  const rows = im2colRows(info);
  const positions = im2colColumns(info);
  const width = end - start;
  const cols = scratch(dtypeOf(x), 'conv2dIm2col:cols', width * positions);
  for (let n = 0; n < info.batch; n++) {
    im2colRowsInto(cols, x, info, n, start, end);
    gemmInto(gw, gy, cols, info.outChannels, width, positions, {
      transB: true,
      offsetA: n * info.outChannels * positions,
      lda: positions,
      offsetC: start,
      ldc: rows,
      beta: n === 0 ? 0 : 1,
    });
  }
}

export interface Conv2dGradWeightTilesArgs {
  acc: Float64Array;
  x: FloatArray;
  gy: FloatArray;
  info: ConvInfo;
}

/**
 * dL/dw for register tiles [start, end) of the implicit im2col path over the whole batch (see
 * `implicitGradWeightTiles`): each tile is computed as on one thread, into its own entries of acc.
 */
export function conv2dGradWeightTilesPart(p: Conv2dGradWeightTilesArgs, start: number, end: number): void {
  implicitGradWeightTilesInto(p.acc, p.x, p.gy, p.info, start, end);
}

export interface Conv2dGradBiasPartArgs {
  gb: FloatArray;
  gy: FloatArray;
  batch: number;
  channels: number;
  plane: number;
}

/** dL/db for channels [start, end): each channel's sum in the same order as the single-threaded kernel. */
export function conv2dGradBiasPart(p: Conv2dGradBiasPartArgs, start: number, end: number): void {
  const { gb, gy, batch, channels, plane } = p;
  for (let k = start; k < end; k++) {
    let sum = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + k) * plane;
      for (let i = 0; i < plane; i++) sum += gy[base + i]!;
    }
    gb[k] = sum;
  }
}

export const gemmTask = defineTask(here, 'gemmPart', gemmPart);
export const conv2dTask = defineTask(here, 'conv2dPart', conv2dPart);
export const conv2dGradInputTask = defineTask(here, 'conv2dGradInputPart', conv2dGradInputPart);
export const conv2dGradWeightTask = defineTask(here, 'conv2dGradWeightPart', conv2dGradWeightPart);
export const conv2dGradWeightChannelsTask = defineTask(here, 'conv2dGradWeightChannelsPart', conv2dGradWeightChannelsPart);
export const conv2dGradWeightTapsTask = defineTask(here, 'conv2dGradWeightTapsPart', conv2dGradWeightTapsPart);
export const conv2dGradWeightTilesTask = defineTask(here, 'conv2dGradWeightTilesPart', conv2dGradWeightTilesPart);
export const conv2dGradBiasTask = defineTask(here, 'conv2dGradBiasPart', conv2dGradBiasPart);
