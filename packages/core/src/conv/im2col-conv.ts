import { dtypeOf, type FloatArray } from '../tensor.js';
import { gemmInto } from '../linalg/gemm.js';
import { scratch } from '../linalg/scratch.js';
import type { ConvInfo } from './conv-info.js';
import { col2imAddInto, im2colColumns, im2colInto, im2colRows } from './im2col.js';
import { conv2dGradWeightImplicitIm2colInto, conv2dImplicitIm2colInto, implicitIm2colChosen } from './implicit-im2col.js';

/*
 * The im2col strategy: per sample, unfold the input into cols [C*kh*kw, Ho*Wo] and let the GEMM do
 * the work, group by group (Kg = K/groups output channels, R = Cg*kh*kw rows, P = Ho*Wo):
 *   forward       y_n[g]   (Kg x P)  = W[g] (Kg x R)   * cols_n[g] (R x P)
 *   grad input    dcols[g] (R x P)   = W[g]^T (R x Kg) * gy_n[g]   (Kg x P), then col2im
 *   grad weight   dW[g]    (Kg x R) += gy_n[g] (Kg x P) * cols_n[g]^T (P x R)
 * Sums run in doubles in the GEMM; gradients gather in Float64Array work buffers and are rounded once.
 * Shallow products (a GEMM depth of at most KC) take the implicit path for the forward and the weight
 * gradient: the same sums in the same order, bit for bit, without building cols (implicit-im2col.ts),
 * unless the GEMM runs on WebAssembly SIMD, which is faster there (`implicitIm2colChosen`).
 */

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias through im2col and GEMM (implicit when shallow). */
export function conv2dIm2colInto(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, info: ConvInfo): void {
  if (implicitIm2colChosen(info, x, w)) conv2dImplicitIm2colInto(out, x, w, bias, info);
  else conv2dExplicitIm2colInto(out, x, w, bias, info);
}

/** The forward through an unfolded cols matrix per sample and the GEMM, at any depth. */
export function conv2dExplicitIm2colInto(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, info: ConvInfo): void {
  const { batch, outChannels, groups, outChannelsPerGroup } = info;
  const rowsPerGroup = im2colRows(info) / groups;
  const positions = im2colColumns(info);
  const cols = scratch(dtypeOf(x), 'conv2dIm2col:cols', im2colRows(info) * positions);
  for (let n = 0; n < batch; n++) {
    im2colInto(cols, x, info, n);
    const outSample = n * outChannels * positions;
    // With a bias, start C at the bias and let the GEMM add (beta 1), so a float32 output is rounded once.
    if (bias !== null) {
      for (let k = 0; k < outChannels; k++) out.fill(bias[k]!, outSample + k * positions, outSample + (k + 1) * positions);
    }
    for (let g = 0; g < groups; g++) {
      gemmInto(out, w, cols, outChannelsPerGroup, positions, rowsPerGroup, {
        offsetA: g * outChannelsPerGroup * rowsPerGroup,
        lda: rowsPerGroup,
        offsetB: g * rowsPerGroup * positions,
        ldb: positions,
        offsetC: outSample + g * outChannelsPerGroup * positions,
        ldc: positions,
        beta: bias === null ? 0 : 1,
      });
    }
  }
}

/** gx [N, C, H, W] = dL/dx through a transposed GEMM and col2im. */
export function conv2dGradInputIm2colInto(gx: FloatArray, gy: FloatArray, w: FloatArray, info: ConvInfo): void {
  const { batch, inChannels, inHeight, inWidth, outChannels, groups, outChannelsPerGroup } = info;
  const rowsPerGroup = im2colRows(info) / groups;
  const positions = im2colColumns(info);
  const planes = inChannels * inHeight * inWidth;
  const dcols = scratch('float64', 'conv2dIm2col:dcols', im2colRows(info) * positions);
  const acc = scratch('float64', 'conv2dIm2col:gradInput', planes);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      gemmInto(dcols, w, gy, rowsPerGroup, positions, outChannelsPerGroup, {
        transA: true,
        offsetA: g * outChannelsPerGroup * rowsPerGroup,
        lda: rowsPerGroup,
        offsetB: (n * outChannels + g * outChannelsPerGroup) * positions,
        ldb: positions,
        offsetC: g * rowsPerGroup * positions,
        ldc: positions,
      });
    }
    acc.fill(0, 0, planes);
    col2imAddInto(acc, dcols, info);
    const base = n * planes;
    for (let i = 0; i < planes; i++) gx[base + i] = acc[i]!;
  }
}

/** gw [K, C/groups, kh, kw] = dL/dw, summed over the batch by GEMMs against each sample's im2col matrix (implicit when shallow). */
export function conv2dGradWeightIm2colInto(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo): void {
  if (implicitIm2colChosen(info, x, gy)) conv2dGradWeightImplicitIm2colInto(gw, x, gy, info);
  else conv2dGradWeightExplicitIm2colInto(gw, x, gy, info);
}

/** The weight gradient through an unfolded cols matrix per sample and the GEMM, at any depth. */
export function conv2dGradWeightExplicitIm2colInto(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo): void {
  const { batch, outChannels, groups, outChannelsPerGroup } = info;
  const rowsPerGroup = im2colRows(info) / groups;
  const positions = im2colColumns(info);
  const size = outChannels * rowsPerGroup;
  const cols = scratch(dtypeOf(x), 'conv2dIm2col:cols', im2colRows(info) * positions);
  const acc = scratch('float64', 'conv2dIm2col:gradWeight', size);
  for (let n = 0; n < batch; n++) {
    im2colInto(cols, x, info, n);
    for (let g = 0; g < groups; g++) {
      gemmInto(acc, gy, cols, outChannelsPerGroup, rowsPerGroup, positions, {
        transB: true,
        offsetA: (n * outChannels + g * outChannelsPerGroup) * positions,
        lda: positions,
        offsetB: g * rowsPerGroup * positions,
        ldb: positions,
        offsetC: g * outChannelsPerGroup * rowsPerGroup,
        ldc: rowsPerGroup,
        beta: n === 0 ? 0 : 1,
      });
    }
  }
  for (let i = 0; i < size; i++) gw[i] = acc[i]!;
}
