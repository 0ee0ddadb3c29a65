/**
 * The spectra of a batched conv2d's operands: values a caller can keep and reuse.
 *
 * Each is bin-major, so that the pointwise stage is one small matrix product per frequency bin
 * with every sample in it. Per bin, the row of a complex matrix is stored split, [Re | Im] per
 * group (the group's real parts, then its imaginary parts), as the pointwise kernel reads it:
 *
 *   input   X  [bin][n][group][Re Cg | Im Cg]       the N x C matrix of each bin
 *   grad    GY [bin][n][group][Re Kg | Im Kg]       the N x K matrix of each bin
 *   weight  the Kg x Cg block W of each bin and group, packed twice for the pointwise kernel
 *           (pointwise.ts): first conj(W)^T for every (bin, group), for the forward product
 *           Y = X conj(W)^T, then W for every (bin, group), for the input gradient dX = GY W.
 */
import { checkAllocation, scratch, type ConvInfo, type Dtype, type FloatArray } from '@convlab/core';
import { spectralGeometry, spreadInto, type SpectralGeometry } from './conv-geometry.js';
import { packRowsInto, packedLength } from './pointwise.js';
import { scatterRow } from './bin-layout.js';
import { rfft2Plan } from './rfft2-plan.js';

interface SpectrumBase {
  /** The shapes it belongs to: a spectrum is only combined with spectra of the same ConvInfo sizes. */
  readonly info: ConvInfo;
  readonly geometry: SpectralGeometry;
  /** The dtype of the tensor it was computed from (products are float32 only when every operand was). */
  readonly dtype: Dtype;
  /** The bins, float64, laid out as the module comment says (`length` may exceed what they need). */
  readonly data: Float64Array;
}

/** The spectrum of a batch of inputs x [N, C, H, W]: per bin an N x C complex matrix. */
export interface InputSpectrum extends SpectrumBase {
  readonly kind: 'input';
}
/** The spectrum of the weights w [K, C/groups, kh, kw]: per bin and group a Kg x Cg complex matrix. */
export interface WeightSpectrum extends SpectrumBase {
  readonly kind: 'weight';
}
/** The spectrum of an output gradient gy [N, K, Ho, Wo]: per bin an N x K complex matrix. */
export interface GradSpectrum extends SpectrumBase {
  readonly kind: 'grad';
}
export type ConvSpectrum = InputSpectrum | WeightSpectrum | GradSpectrum;

/** Doubles each spectrum needs. */
export function spectrumLength(kind: ConvSpectrum['kind'], info: ConvInfo, geometry: SpectralGeometry): number {
  const perBin =
    kind === 'input'
      ? 2 * info.batch * info.inChannels
      : kind === 'grad'
        ? 2 * info.batch * info.outChannels
        : info.groups * weightPackLengths(info).total;
  return geometry.bins * perBin;
}

/** Doubles of one (bin, group)'s packed weights: the forward pack, the input-gradient pack, both. */
export function weightPackLengths(info: ConvInfo): { forward: number; gradInput: number; total: number } {
  const forward = packedLength(info.inChannelsPerGroup, info.outChannelsPerGroup);
  const gradInput = packedLength(info.outChannelsPerGroup, info.inChannelsPerGroup);
  return { forward, gradInput, total: forward + gradInput };
}

function buffer(kind: ConvSpectrum['kind'], info: ConvInfo, geometry: SpectralGeometry, reuse?: Float64Array): Float64Array {
  const length = spectrumLength(kind, info, geometry);
  if (reuse && reuse.length >= length) return reuse;
  checkAllocation('spectralConv2d', `${kind} spectrum`, [length], 'float64');
  return new Float64Array(length);
}

/**
 * Transforms planes [rows][channels][height][width] of `src` into the bin-major spectrum `dst`
 * ([bin][row][group][Re | Im]), a row of planes at a time through a plane-major buffer.
 * `rowStep`/`colStep` spread each plane out first (dilation, stride).
 */
function transformPlanes(
  dst: Float64Array,
  src: FloatArray,
  rows: number,
  channels: number,
  perGroup: number,
  height: number,
  width: number,
  rowStep: number,
  colStep: number,
  geometry: SpectralGeometry,
): void {
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const { bins } = geometry;
  const plane = height * width;
  const planes = scratch('float64', 'fft:rowPlanes', 2 * bins * channels);
  const spread = rowStep === 1 && colStep === 1 ? null : scratch('float64', 'fft:spread', ((height - 1) * rowStep + 1) * ((width - 1) * colStep + 1));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const at = (r * channels + c) * plane;
      if (spread === null) {
        plan.forward(planes, 2 * c * bins, 2, 1, src, at, height, width, width);
      } else {
        const [h, w] = spreadInto(spread, src, at, height, width, rowStep, colStep);
        plan.forward(planes, 2 * c * bins, 2, 1, spread, 0, h, w, w);
      }
    }
    scatterRow(dst, planes, r, rows, bins, channels, perGroup);
  }
}

/** The spectrum of x [N, C, H, W] (contiguous data), into `reuse` when it is large enough. */
export function inputSpectrumOf(x: FloatArray, dtype: Dtype, info: ConvInfo, reuse?: Float64Array): InputSpectrum {
  const geometry = spectralGeometry(info);
  const data = buffer('input', info, geometry, reuse);
  const { batch, inChannels, inChannelsPerGroup, inHeight, inWidth } = info;
  transformPlanes(data, x, batch, inChannels, inChannelsPerGroup, inHeight, inWidth, 1, 1, geometry);
  return { kind: 'input', info, geometry, dtype, data };
}

/** The spectrum of gy [N, K, Ho, Wo] (contiguous data), spread by the stride, into `reuse` when large enough. */
export function gradSpectrumOf(gy: FloatArray, dtype: Dtype, info: ConvInfo, reuse?: Float64Array): GradSpectrum {
  const geometry = spectralGeometry(info);
  const data = buffer('grad', info, geometry, reuse);
  const { batch, outChannels, outChannelsPerGroup, outHeight, outWidth, strideHeight, strideWidth } = info;
  transformPlanes(data, gy, batch, outChannels, outChannelsPerGroup, outHeight, outWidth, strideHeight, strideWidth, geometry);
  return { kind: 'grad', info, geometry, dtype, data };
}

/** The spectrum of w [K, Cg, kh, kw] (contiguous data), spread by the dilation, packed for the pointwise kernel. */
export function weightSpectrumOf(w: FloatArray, dtype: Dtype, info: ConvInfo, reuse?: Float64Array): WeightSpectrum {
  const geometry = spectralGeometry(info);
  const data = buffer('weight', info, geometry, reuse);
  const { outChannels: K, outChannelsPerGroup: Kg, inChannelsPerGroup: Cg, groups } = info;
  // First the plain spectra, [bin][k][Re Cg | Im Cg].
  const rowLength = 2 * Cg;
  const perBin = K * rowLength;
  const plain = scratch('float64', 'fft:weightPlain', geometry.bins * perBin);
  transformPlanes(plain, w, K, Cg, Cg, info.kernelHeight, info.kernelWidth, info.dilationHeight, info.dilationWidth, geometry);
  const packs = weightPackLengths(info);
  const gradInputStart = geometry.bins * groups * packs.forward;
  for (let f = 0; f < geometry.bins; f++) {
    for (let g = 0; g < groups; g++) {
      const base = f * perBin + g * Kg * rowLength;
      const at = f * groups + g;
      // Forward: conj(W)^T, depth c, columns k (panels of two k).
      let to = at * packs.forward;
      for (let k = 0; k < Kg; k += 2) {
        const a = base + k * rowLength;
        const pair = k + 1 < Kg;
        for (let c = 0; c < Cg; c++, to += 4) {
          data[to] = plain[a + c]!;
          data[to + 1] = pair ? plain[a + rowLength + c]! : 0;
          data[to + 2] = -plain[a + Cg + c]!;
          data[to + 3] = pair ? -plain[a + rowLength + Cg + c]! : 0;
        }
      }
      // Input gradient: W, depth k, columns c.
      packRowsInto(data, gradInputStart + at * packs.gradInput, plain, base, rowLength, Cg, Kg, Cg);
    }
  }
  return { kind: 'weight', info, geometry, dtype, data };
}

/** Where the packed weights of (bin, group) start, for each product. */
export function weightPackOffset(info: ConvInfo, bins: number, bin: number, group: number, product: 'forward' | 'gradInput'): number {
  const packs = weightPackLengths(info);
  const at = bin * info.groups + group;
  return product === 'forward' ? at * packs.forward : bins * info.groups * packs.forward + at * packs.gradInput;
}
