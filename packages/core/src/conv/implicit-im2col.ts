import { dtypeOf, type FloatArray } from '../tensor.js';
import { KC } from '../linalg/gemm.js';
import { scratch, scratchInt32 } from '../linalg/scratch.js';
import { simdEnabled } from '../wasm/simd-setting.js';
import type { ConvInfo } from './conv-info.js';

/*
 * im2col + GEMM without the im2col matrix ("implicit GEMM"), for shallow convolutions such as
 * LeNet-5's first layer (1 channel, 5 x 5 taps: a GEMM depth of 25). Register tiles read the input
 * where the im2col matrix would have copied it from, so nothing is unfolded or packed per sample:
 *
 *   forward      4 output channels x 3 output positions in registers, summed over the taps
 *   weight grad  2 output channels x 5 taps in registers, summed over the output positions
 *
 * Every sum runs in doubles in the order the blocked GEMM uses on the im2col matrix (taps in
 * (channel, ky, kx) order; positions in row-major order, in KC-deep slices added one after another,
 * samples one after another) and is written the same way, so the results are bit for bit those of
 * the explicit path (im2col-conv.ts). Padding is handled by copying each sample into a zero-padded
 * buffer first: the tiles then add w * 0 where the im2col matrix holds a padding zero, as the GEMM
 * does. The tile shapes measured fastest on LeNet-5's first layer (docs/conv2d.md).
 */

/** Output channels and positions of a forward register tile. */
const FORWARD_CHANNELS = 4;
const FORWARD_POSITIONS = 3;
/** Output channels and taps of a weight-gradient register tile. */
const GRAD_CHANNELS = 2;
const GRAD_TAPS = 5;

/**
 * Whether the im2col strategy takes the implicit path for this shape. Its tiles need a GEMM depth
 * (channels per group x kh x kw) of at most one KC slice, where the GEMM rounds a float32 output
 * once. The explicit path copies every element of the im2col matrix twice (unfolding, packing) for
 * Kg multiply-adds, and writes a tile back every `depth` steps: it keeps up only when both are
 * large. Measured (docs/conv2d.md): implicit 10-35% faster at depth 25-144 and at 16 filters of
 * depth 500, level at 48 filters of depth 200, 3-8% slower at 50 filters of depth 500.
 */
export function implicitIm2colFits(info: ConvInfo): boolean {
  const depth = info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  return depth <= KC && (depth < 256 || info.outChannelsPerGroup < 32);
}

/**
 * Whether the im2col strategy runs the implicit path on these operands: the shape fits, and the
 * explicit path's GEMM would run in pure JavaScript. With WebAssembly SIMD (float32 operands,
 * `simdEnabled()`) the explicit path measured faster on LeNet-5's first layer at batch 500, forward
 * and weight gradient (figures in docs/performance.md).
 */
export function implicitIm2colChosen(info: ConvInfo, ...operands: FloatArray[]): boolean {
  return implicitIm2colFits(info) && !(simdEnabled() && operands.every((a) => a instanceof Float32Array));
}

/** Where the tiles read one sample: x itself, or a zero-padded copy of the sample. */
interface Source {
  /** The padded height and width of a channel plane. */
  height: number;
  width: number;
  padded: boolean;
}

function sourceOf(info: ConvInfo): Source {
  const padded = info.padTop + info.padBottom + info.padLeft + info.padRight > 0;
  return {
    height: info.inHeight + info.padTop + info.padBottom,
    width: info.inWidth + info.padLeft + info.padRight,
    padded,
  };
}

/** Copies sample `n` of x [N, C, H, W] into `into` [C, H + pads, W + pads] with zeros around it. */
function padSampleInto(into: FloatArray, x: FloatArray, info: ConvInfo, n: number, source: Source): void {
  const { inChannels, inHeight, inWidth, padTop, padLeft } = info;
  const { height, width } = source;
  into.fill(0, 0, inChannels * height * width);
  for (let c = 0; c < inChannels; c++) {
    for (let y = 0; y < inHeight; y++) {
      const from = ((n * inChannels + c) * inHeight + y) * inWidth;
      const to = (c * height + y + padTop) * width + padLeft;
      for (let i = 0; i < inWidth; i++) into[to + i] = x[from + i]!;
    }
  }
}

/** Offset in a (padded) sample of the first value tap `r` (channel-major, as the weight) reads. */
function tapOffset(r: number, info: ConvInfo, source: Source): number {
  const taps = info.kernelHeight * info.kernelWidth;
  const c = Math.floor(r / taps);
  const ky = Math.floor((r - c * taps) / info.kernelWidth);
  const kx = r - c * taps - ky * info.kernelWidth;
  return (c * source.height + ky * info.dilationHeight) * source.width + kx * info.dilationWidth;
}

/** Offset in a (padded) channel plane of the value output position `j` (row-major) reads at tap 0. */
function positionOffset(j: number, info: ConvInfo, source: Source): number {
  const oy = Math.floor(j / info.outWidth);
  const ox = j - oy * info.outWidth;
  return oy * info.strideHeight * source.width + ox * info.strideWidth;
}

/** The walk over the taps of a filter in a (padded) sample, in the weight's (channel, ky, kx) order. */
interface TapWalk {
  depth: number;
  kernelWidth: number;
  kernelHeight: number;
  /** The step to the next tap along a kernel row, then the extra steps to the next kernel row and to the next channel. */
  tapStep: number;
  rowStep: number;
  channelStep: number;
}

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias, the im2col GEMM's arithmetic without its matrix. */
export function conv2dImplicitIm2colInto(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, info: ConvInfo): void {
  const { batch, inChannels, outChannels, groups, inChannelsPerGroup, outChannelsPerGroup } = info;
  const { kernelHeight, kernelWidth, dilationHeight, dilationWidth } = info;
  const source = sourceOf(info);
  const plane = source.height * source.width;
  const depth = inChannelsPerGroup * kernelHeight * kernelWidth;
  const positions = info.outHeight * info.outWidth;
  const tiles = Math.ceil(outChannelsPerGroup / FORWARD_CHANNELS);
  const filters = packFilters(w, info, tiles);
  const at = positionTable(info, source);
  const padded = source.padded ? scratch(dtypeOf(x), 'conv2dImplicit:sample', inChannels * plane) : x;
  const walk: TapWalk = {
    depth,
    kernelWidth,
    kernelHeight,
    tapStep: dilationWidth,
    rowStep: dilationHeight * source.width - kernelWidth * dilationWidth,
    channelStep: plane - kernelHeight * dilationHeight * source.width,
  };
  // The GEMM starts a float32 C at the bias rounded to float32; -0 is what adding nothing leaves alone.
  const round = out instanceof Float32Array;
  const starts = scratch('float64', 'conv2dImplicit:bias', FORWARD_CHANNELS);
  for (let n = 0; n < batch; n++) {
    if (source.padded) padSampleInto(padded, x, info, n, source);
    const sampleBase = source.padded ? 0 : n * inChannels * plane;
    for (let g = 0; g < groups; g++) {
      const xg = sampleBase + g * inChannelsPerGroup * plane;
      const kEnd = (g + 1) * outChannelsPerGroup;
      for (let t = 0; t < tiles; t++) {
        const k0 = g * outChannelsPerGroup + t * FORWARD_CHANNELS;
        for (let a = 0; a < FORWARD_CHANNELS; a++) starts[a] = biasOf(bias, round, k0 + a, kEnd);
        const rows = Math.min(FORWARD_CHANNELS, kEnd - k0);
        const w0 = (g * tiles + t) * depth * FORWARD_CHANNELS;
        forwardTileRow(out, (n * outChannels + k0) * positions, rows, positions, padded, xg, at, filters, w0, starts, walk);
      }
    }
  }
}

/**
 * Output rows `o0 + a * positions` (a < rows: FORWARD_CHANNELS filters of one sample, their panel
 * at `w0` in `filters`) at every position, FORWARD_POSITIONS a tile, each started at starts[a].
 * The inner loops live in a function of their own so that V8 compiles them once, with the same
 * feedback on every call, whichever thread runs them.
 */
function forwardTileRow(
  out: FloatArray,
  o0: number,
  rows: number,
  positions: number,
  src: FloatArray,
  xg: number,
  at: Int32Array,
  filters: Float64Array,
  w0: number,
  starts: Float64Array,
  walk: TapWalk,
): void {
  const { depth, kernelWidth, kernelHeight, tapStep, rowStep, channelStep } = walk;
  const b0 = starts[0]!, b1 = starts[1]!, b2 = starts[2]!, b3 = starts[3]!;
  for (let j = 0; j < positions; j += FORWARD_POSITIONS) {
    const count = Math.min(FORWARD_POSITIONS, positions - j);
    // The position table repeats the last position past the end; those columns are not written.
    const p0 = xg + at[j]!, p1 = xg + at[j + 1]!, p2 = xg + at[j + 2]!;
    let s00 = 0, s01 = 0, s02 = 0;
    let s10 = 0, s11 = 0, s12 = 0;
    let s20 = 0, s21 = 0, s22 = 0;
    let s30 = 0, s31 = 0, s32 = 0;
    let tap = 0, kx = 0, ky = 0;
    for (let r = 0, q = w0; r < depth; r++, q += FORWARD_CHANNELS) {
      const x0 = src[p0 + tap]!, x1 = src[p1 + tap]!, x2 = src[p2 + tap]!;
      const f0 = filters[q]!, f1 = filters[q + 1]!, f2 = filters[q + 2]!, f3 = filters[q + 3]!;
      s00 += f0 * x0; s01 += f0 * x1; s02 += f0 * x2;
      s10 += f1 * x0; s11 += f1 * x1; s12 += f1 * x2;
      s20 += f2 * x0; s21 += f2 * x1; s22 += f2 * x2;
      s30 += f3 * x0; s31 += f3 * x1; s32 += f3 * x2;
      tap += tapStep;
      if (++kx === kernelWidth) {
        kx = 0;
        tap += rowStep;
        if (++ky === kernelHeight) {
          ky = 0;
          tap += channelStep;
        }
      }
    }
    const o = o0 + j;
    storeRow(out, o, count, b0 + s00, b0 + s01, b0 + s02);
    if (rows > 1) storeRow(out, o + positions, count, b1 + s10, b1 + s11, b1 + s12);
    if (rows > 2) storeRow(out, o + 2 * positions, count, b2 + s20, b2 + s21, b2 + s22);
    if (rows > 3) storeRow(out, o + 3 * positions, count, b3 + s30, b3 + s31, b3 + s32);
  }
}

/** The value filter k starts from: its bias as the output stores it, or -0 (adds nothing) past the group or without a bias. */
function biasOf(bias: FloatArray | null, round: boolean, k: number, kEnd: number): number {
  if (k >= kEnd || bias === null) return -0;
  return round ? Math.fround(bias[k]!) : bias[k]!;
}

/**
 * Offsets in a (padded) channel plane of the value each output position reads at tap 0, row-major,
 * padded with copies of the last so that a forward tile of FORWARD_POSITIONS can start at any
 * position (the weight gradient reads it where each slice of positions starts).
 */
function positionTable(info: ConvInfo, source: Source): Int32Array {
  const positions = info.outHeight * info.outWidth;
  const table = scratchInt32('conv2dImplicit:positions', positions + FORWARD_POSITIONS);
  for (let j = 0; j < positions + FORWARD_POSITIONS; j++) table[j] = positionOffset(Math.min(j, positions - 1), info, source);
  return table;
}

/**
 * The weights as Float64 panels of FORWARD_CHANNELS filters: panel (g, t) holds, tap by tap, the
 * tap's weight in filters g * Kg + 4t .. + 3 side by side (zeros past the group's last filter).
 */
function packFilters(w: FloatArray, info: ConvInfo, tiles: number): Float64Array {
  const { groups, outChannelsPerGroup } = info;
  const depth = info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  const packed = scratch('float64', 'conv2dImplicit:filters', groups * tiles * depth * FORWARD_CHANNELS);
  let at = 0;
  for (let g = 0; g < groups; g++) {
    for (let t = 0; t < tiles; t++) {
      for (let r = 0; r < depth; r++) {
        for (let a = 0; a < FORWARD_CHANNELS; a++) {
          const kk = t * FORWARD_CHANNELS + a;
          packed[at++] = kk < outChannelsPerGroup ? w[(g * outChannelsPerGroup + kk) * depth + r]! : 0;
        }
      }
    }
  }
  return packed;
}

/** The first `count` (1 to 3) of three values into out[at ..]. */
function storeRow(out: FloatArray, at: number, count: number, v0: number, v1: number, v2: number): void {
  out[at] = v0;
  if (count > 1) out[at + 1] = v1;
  if (count > 2) out[at + 2] = v2;
}

/** Register tiles of the weight gradient: groups x (filter pairs of a group) x (5-tap blocks of the depth). */
export function implicitGradWeightTiles(info: ConvInfo): number {
  const depth = info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  return info.groups * Math.ceil(info.outChannelsPerGroup / GRAD_CHANNELS) * Math.ceil(depth / GRAD_TAPS);
}

/** gw [K, C/groups, kh, kw] = dL/dw summed over the batch in doubles, rounded once. */
export function conv2dGradWeightImplicitIm2colInto(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo): void {
  const size = info.outChannels * info.inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  const acc = scratch('float64', 'conv2dImplicit:gradWeight', size);
  implicitGradWeightTilesInto(acc, x, gy, info, 0, implicitGradWeightTiles(info));
  for (let i = 0; i < size; i++) gw[i] = acc[i]!;
}

/**
 * Tiles [tileStart, tileEnd) of dL/dw (see `implicitGradWeightTiles`; tile (g, pair, block) is
 * number (g * pairs + pair) * blocks + block) into `acc` [K, C/groups * kh * kw], Float64, summed
 * over the whole batch. Only the tiles' entries are written, each with the same arithmetic whatever
 * range it comes in: a thread that computes some tiles computes them bit for bit as one thread.
 */
export function implicitGradWeightTilesInto(
  acc: Float64Array,
  x: FloatArray,
  gy: FloatArray,
  info: ConvInfo,
  tileStart: number,
  tileEnd: number,
): void {
  const { batch, inChannels, outChannels, inChannelsPerGroup, outChannelsPerGroup, outWidth } = info;
  const source = sourceOf(info);
  const plane = source.height * source.width;
  const depth = inChannelsPerGroup * info.kernelHeight * info.kernelWidth;
  const positions = info.outHeight * outWidth;
  const pairs = Math.ceil(outChannelsPerGroup / GRAD_CHANNELS);
  const blocks = Math.ceil(depth / GRAD_TAPS);
  const padded = source.padded ? scratch(dtypeOf(x), 'conv2dImplicit:sample', inChannels * plane) : x;
  const at = positionTable(info, source);
  const tapsAt = scratchInt32('conv2dImplicit:taps', GRAD_TAPS);
  const walk: PositionWalk = {
    positions,
    outWidth,
    columnStep: info.strideWidth,
    rowStep: info.strideHeight * source.width - outWidth * info.strideWidth,
  };
  for (let n = 0; n < batch; n++) {
    if (source.padded) padSampleInto(padded, x, info, n, source);
    const sampleBase = source.padded ? 0 : n * inChannels * plane;
    for (let tile = tileStart; tile < tileEnd; tile++) {
      const g = Math.floor(tile / (pairs * blocks));
      const pair = Math.floor(tile / blocks) - g * pairs;
      const block = tile - Math.floor(tile / blocks) * blocks;
      const kk = pair * GRAD_CHANNELS;
      const rows = Math.min(GRAD_CHANNELS, outChannelsPerGroup - kk);
      const r0 = block * GRAD_TAPS;
      const taps = Math.min(GRAD_TAPS, depth - r0);
      // Rows and taps past the edge repeat the last one; their sums are not written.
      const k0 = g * outChannelsPerGroup + kk;
      const y0 = (n * outChannels + k0) * positions;
      const y1 = (n * outChannels + k0 + Math.min(1, rows - 1)) * positions;
      const xg = sampleBase + g * inChannelsPerGroup * plane;
      for (let b = 0; b < GRAD_TAPS; b++) tapsAt[b] = xg + tapOffset(r0 + Math.min(b, taps - 1), info, source);
      gradWeightTile(acc, k0 * depth + r0, depth, rows, taps, n === 0, gy, y0, y1, padded, tapsAt, at, walk);
    }
  }
}

/** The walk over the output positions in row-major order: a step along an output row, then the extra step to the next row. */
interface PositionWalk {
  positions: number;
  outWidth: number;
  columnStep: number;
  rowStep: number;
}

/**
 * One weight-gradient tile of one sample: for filters at gy rows y0, y1 (`rows` of them) and the
 * taps reading src at tapsAt[0..4] (`taps` of them), the sums over every output position, in the
 * GEMM's KC-deep slices, added into acc rows a0 and a0 + depth (overwritten by the first sample's
 * first slice, as the GEMM's beta 0). A function of its own so that V8 compiles the loop once.
 */
function gradWeightTile(
  acc: Float64Array,
  a0: number,
  depth: number,
  rows: number,
  taps: number,
  firstSample: boolean,
  gy: FloatArray,
  y0: number,
  y1: number,
  src: FloatArray,
  tapsAt: Int32Array,
  at: Int32Array,
  walk: PositionWalk,
): void {
  const { positions, outWidth, columnStep, rowStep } = walk;
  const t0 = tapsAt[0]!, t1 = tapsAt[1]!, t2 = tapsAt[2]!, t3 = tapsAt[3]!, t4 = tapsAt[4]!;
  for (let j0 = 0; j0 < positions; j0 += KC) {
    const j1 = Math.min(positions, j0 + KC);
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s04 = 0;
    let s10 = 0, s11 = 0, s12 = 0, s13 = 0, s14 = 0;
    let ox = j0 % outWidth;
    let p = at[j0]!;
    for (let j = j0; j < j1; j++) {
      const v0 = gy[y0 + j]!, v1 = gy[y1 + j]!;
      const x0 = src[p + t0]!, x1 = src[p + t1]!, x2 = src[p + t2]!, x3 = src[p + t3]!, x4 = src[p + t4]!;
      s00 += v0 * x0; s01 += v0 * x1; s02 += v0 * x2; s03 += v0 * x3; s04 += v0 * x4;
      s10 += v1 * x0; s11 += v1 * x1; s12 += v1 * x2; s13 += v1 * x3; s14 += v1 * x4;
      p += columnStep;
      if (++ox === outWidth) {
        ox = 0;
        p += rowStep;
      }
    }
    const first = firstSample && j0 === 0;
    addRow(acc, a0, taps, first, s00, s01, s02, s03, s04);
    if (rows > 1) addRow(acc, a0 + depth, taps, first, s10, s11, s12, s13, s14);
  }
}

/** acc[at ..] += the first `count` (1 to 5) values, or = them when `first` (as the GEMM's beta 0). */
function addRow(acc: Float64Array, at: number, count: number, first: boolean, v0: number, v1: number, v2: number, v3: number, v4: number): void {
  if (first) {
    acc[at] = v0;
    if (count > 1) acc[at + 1] = v1;
    if (count > 2) acc[at + 2] = v2;
    if (count > 3) acc[at + 3] = v3;
    if (count > 4) acc[at + 4] = v4;
  } else {
    acc[at] += v0;
    if (count > 1) acc[at + 1] += v1;
    if (count > 2) acc[at + 2] += v2;
    if (count > 3) acc[at + 3] += v3;
    if (count > 4) acc[at + 4] += v4;
  }
}
