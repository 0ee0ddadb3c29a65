import type { FloatArray } from '../tensor.js';
import type { ConvInfo } from './conv-info.js';
import { endInside, firstInside } from './output-range.js';

/*
 * The im2col layout of one sample: a matrix with one row per (input channel, ky, kx) and one column
 * per output position (oy, ox), holding the input value that tap reads there (zero in the padding).
 * Rows are channel-major, so group g owns the contiguous row block
 * [g * Cg * kh * kw, (g + 1) * Cg * kh * kw), matching weight [K, Cg, kh, kw] read as a
 * [K, Cg * kh * kw] matrix: the convolution of one sample is then weight x cols, group by group.
 */

/** Rows of one sample's im2col matrix: channels x kh x kw. */
export function im2colRows(info: ConvInfo): number {
  return info.inChannels * info.kernelHeight * info.kernelWidth;
}

/** Columns of one sample's im2col matrix: the output positions Ho x Wo. */
export function im2colColumns(info: ConvInfo): number {
  return info.outHeight * info.outWidth;
}

/** Fills `cols` [C * kh * kw, Ho * Wo] from sample `sample` of x [N, C, H, W]. */
export function im2colInto(cols: FloatArray, x: FloatArray, info: ConvInfo, sample: number): void {
  im2colRowsInto(cols, x, info, sample, 0, im2colRows(info));
}

/**
 * Rows [rowStart, rowEnd) of sample `sample`'s im2col matrix into the first rowEnd - rowStart rows
 * of `cols` (a thread that needs only some taps builds only those).
 */
export function im2colRowsInto(cols: FloatArray, x: FloatArray, info: ConvInfo, sample: number, rowStart: number, rowEnd: number): void {
  const { inChannels, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, padTop, padLeft, outHeight, outWidth } = info;
  const columns = outHeight * outWidth;
  const taps = kernelHeight * kernelWidth;
  for (let row = rowStart; row < rowEnd; row++) {
    // Row = (c * kh + ky) * kw + kx: channel-major, as the weight's [Cg * kh * kw] axis.
    const c = Math.floor(row / taps);
    const ky = Math.floor((row - c * taps) / kernelWidth);
    const kx = row - c * taps - ky * kernelWidth;
    const xPlane = (sample * inChannels + c) * inHeight * inWidth;
    const yOffset = ky * dilationHeight - padTop;
    const oy0 = firstInside(yOffset, strideHeight);
    const oy1 = endInside(yOffset, strideHeight, inHeight, outHeight);
    const xOffset = kx * dilationWidth - padLeft;
    const ox0 = firstInside(xOffset, strideWidth);
    const ox1 = Math.max(ox0, endInside(xOffset, strideWidth, inWidth, outWidth));
    const start = (row - rowStart) * columns;
    for (let oy = 0; oy < outHeight; oy++) {
      const at = start + oy * outWidth;
      if (oy < oy0 || oy >= oy1) {
        cols.fill(0, at, at + outWidth);
        continue;
      }
      const xRow = xPlane + (oy * strideHeight + yOffset) * inWidth + xOffset;
      let ox = 0;
      for (; ox < ox0; ox++) cols[at + ox] = 0;
      for (; ox < ox1; ox++) cols[at + ox] = x[xRow + ox * strideWidth]!;
      for (; ox < outWidth; ox++) cols[at + ox] = 0;
    }
  }
}

/**
 * The adjoint of im2col: adds every entry of `cols` [C * kh * kw, Ho * Wo] onto the input position
 * it was read from, into `acc` [C, H, W] (one sample; padding positions are dropped).
 */
export function col2imAddInto(acc: Float64Array, cols: Float64Array, info: ConvInfo): void {
  const { inChannels, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, padTop, padLeft, outHeight, outWidth } = info;
  const columns = outHeight * outWidth;
  let row = 0;
  for (let c = 0; c < inChannels; c++) {
    const plane = c * inHeight * inWidth;
    for (let ky = 0; ky < kernelHeight; ky++) {
      const yOffset = ky * dilationHeight - padTop;
      const oy0 = firstInside(yOffset, strideHeight);
      const oy1 = endInside(yOffset, strideHeight, inHeight, outHeight);
      for (let kx = 0; kx < kernelWidth; kx++, row++) {
        const xOffset = kx * dilationWidth - padLeft;
        const ox0 = firstInside(xOffset, strideWidth);
        const ox1 = endInside(xOffset, strideWidth, inWidth, outWidth);
        const rowStart = row * columns;
        for (let oy = oy0; oy < oy1; oy++) {
          const aRow = plane + (oy * strideHeight + yOffset) * inWidth + xOffset;
          const cRow = rowStart + oy * outWidth;
          for (let ox = ox0; ox < ox1; ox++) acc[aRow + ox * strideWidth] += cols[cRow + ox]!;
        }
      }
    }
  }
}
