import type { FloatArray } from '../tensor.js';
import { scratch } from '../linalg/scratch.js';
import type { ConvInfo } from './conv-info.js';
import { endInside, firstInside } from './output-range.js';

/*
 * The direct strategy: loops over flat NCHW / KCHW buffers, one kernel tap at a time ("shift and
 * add"), so the innermost loop runs along an output row with a fixed weight. Every sum is kept in a
 * Float64Array and rounded once into the caller's output. All sizes come from the ConvInfo.
 */

/** out [N, K, Ho, Wo] = cross-correlation of x [N, C, H, W] with w [K, C/groups, kh, kw], plus bias [K] when given. */
export function conv2dDirectInto(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, info: ConvInfo): void {
  const { batch, inChannels, inHeight, inWidth, outChannels, inChannelsPerGroup, outChannelsPerGroup } = info;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, outHeight, outWidth } = info;
  const planeIn = inHeight * inWidth;
  const planeOut = outHeight * outWidth;
  const taps = kernelHeight * kernelWidth;
  const acc = scratch('float64', 'conv2dDirect:plane', planeOut);
  for (let n = 0; n < batch; n++) {
    for (let k = 0; k < outChannels; k++) {
      const group = Math.floor(k / outChannelsPerGroup);
      acc.fill(bias === null ? 0 : bias[k]!, 0, planeOut);
      for (let cg = 0; cg < inChannelsPerGroup; cg++) {
        const xPlane = (n * inChannels + group * inChannelsPerGroup + cg) * planeIn;
        const wBase = (k * inChannelsPerGroup + cg) * taps;
        for (let ky = 0; ky < kernelHeight; ky++) {
          const yOffset = ky * dilationHeight - padTop;
          const oy0 = firstInside(yOffset, strideHeight);
          const oy1 = endInside(yOffset, strideHeight, inHeight, outHeight);
          for (let kx = 0; kx < kernelWidth; kx++) {
            const xOffset = kx * dilationWidth - padLeft;
            const ox0 = firstInside(xOffset, strideWidth);
            const ox1 = endInside(xOffset, strideWidth, inWidth, outWidth);
            const wv = w[wBase + ky * kernelWidth + kx]!;
            for (let oy = oy0; oy < oy1; oy++) {
              const xRow = xPlane + (oy * strideHeight + yOffset) * inWidth + xOffset;
              const aRow = oy * outWidth;
              for (let ox = ox0; ox < ox1; ox++) acc[aRow + ox] += wv * x[xRow + ox * strideWidth]!;
            }
          }
        }
      }
      const outPlane = (n * outChannels + k) * planeOut;
      for (let i = 0; i < planeOut; i++) out[outPlane + i] = acc[i]!;
    }
  }
}

/**
 * gx [N, C, H, W] = dL/dx for gy = dL/dy [N, K, Ho, Wo]: each gy element scatters the kernel back
 * onto the input positions it read (the full convolution of gy with the kernel, strided and dilated).
 */
export function conv2dGradInputDirectInto(gx: FloatArray, gy: FloatArray, w: FloatArray, info: ConvInfo): void {
  const { batch, inChannels, inHeight, inWidth, outChannels, inChannelsPerGroup, outChannelsPerGroup } = info;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, outHeight, outWidth } = info;
  const planeIn = inHeight * inWidth;
  const planeOut = outHeight * outWidth;
  const taps = kernelHeight * kernelWidth;
  const acc = scratch('float64', 'conv2dDirect:gradInputPlane', planeIn);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < inChannels; c++) {
      const group = Math.floor(c / inChannelsPerGroup);
      const cg = c - group * inChannelsPerGroup;
      acc.fill(0, 0, planeIn);
      for (let kk = 0; kk < outChannelsPerGroup; kk++) {
        const k = group * outChannelsPerGroup + kk;
        const gyPlane = (n * outChannels + k) * planeOut;
        const wBase = (k * inChannelsPerGroup + cg) * taps;
        for (let ky = 0; ky < kernelHeight; ky++) {
          const yOffset = ky * dilationHeight - padTop;
          const oy0 = firstInside(yOffset, strideHeight);
          const oy1 = endInside(yOffset, strideHeight, inHeight, outHeight);
          for (let kx = 0; kx < kernelWidth; kx++) {
            const xOffset = kx * dilationWidth - padLeft;
            const ox0 = firstInside(xOffset, strideWidth);
            const ox1 = endInside(xOffset, strideWidth, inWidth, outWidth);
            const wv = w[wBase + ky * kernelWidth + kx]!;
            for (let oy = oy0; oy < oy1; oy++) {
              const aRow = (oy * strideHeight + yOffset) * inWidth + xOffset;
              const gRow = gyPlane + oy * outWidth;
              for (let ox = ox0; ox < ox1; ox++) acc[aRow + ox * strideWidth] += wv * gy[gRow + ox]!;
            }
          }
        }
      }
      const gxPlane = (n * inChannels + c) * planeIn;
      for (let i = 0; i < planeIn; i++) gx[gxPlane + i] = acc[i]!;
    }
  }
}

/**
 * gw [K, C/groups, kh, kw] = dL/dw: for each tap, the sum over the batch of gy times the input
 * window that tap saw (the 'valid' correlation of x with gy, strided and dilated).
 */
export function conv2dGradWeightDirectInto(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo): void {
  const { batch, inChannels, inHeight, inWidth, outChannels, inChannelsPerGroup, outChannelsPerGroup } = info;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, outHeight, outWidth } = info;
  const planeIn = inHeight * inWidth;
  const planeOut = outHeight * outWidth;
  const taps = kernelHeight * kernelWidth;
  const size = outChannels * inChannelsPerGroup * taps;
  const acc = scratch('float64', 'conv2dDirect:gradWeight', size);
  acc.fill(0, 0, size);
  // Sample-major order: one sample's input and gradient planes stay in cache while every tap uses them.
  for (let n = 0; n < batch; n++) {
    for (let k = 0; k < outChannels; k++) {
      const group = Math.floor(k / outChannelsPerGroup);
      const gyPlane = (n * outChannels + k) * planeOut;
      for (let cg = 0; cg < inChannelsPerGroup; cg++) {
        const xPlane = (n * inChannels + group * inChannelsPerGroup + cg) * planeIn;
        const wBase = (k * inChannelsPerGroup + cg) * taps;
        for (let ky = 0; ky < kernelHeight; ky++) {
          const yOffset = ky * dilationHeight - padTop;
          const oy0 = firstInside(yOffset, strideHeight);
          const oy1 = endInside(yOffset, strideHeight, inHeight, outHeight);
          for (let kx = 0; kx < kernelWidth; kx++) {
            const xOffset = kx * dilationWidth - padLeft;
            const ox0 = firstInside(xOffset, strideWidth);
            const ox1 = endInside(xOffset, strideWidth, inWidth, outWidth);
            let sum = 0;
            for (let oy = oy0; oy < oy1; oy++) {
              const xRow = xPlane + (oy * strideHeight + yOffset) * inWidth + xOffset;
              const gRow = gyPlane + oy * outWidth;
              for (let ox = ox0; ox < ox1; ox++) sum += gy[gRow + ox]! * x[xRow + ox * strideWidth]!;
            }
            acc[wBase + ky * kernelWidth + kx] += sum;
          }
        }
      }
    }
  }
  for (let i = 0; i < size; i++) gw[i] = acc[i]!;
}

/** gb [K] = dL/db: the sum of gy [N, K, Ho, Wo] over the batch and both spatial axes. */
export function conv2dGradBiasInto(gb: FloatArray, gy: FloatArray, batch: number, channels: number, plane: number): void {
  for (let k = 0; k < channels; k++) {
    let sum = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + k) * plane;
      for (let i = 0; i < plane; i++) sum += gy[base + i]!;
    }
    gb[k] = sum;
  }
}
