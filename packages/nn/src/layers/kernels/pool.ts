import type { ConvInfo, FloatArray } from '@convlab/core';

/**
 * Pooling kernels on flat NCHW typed arrays. A pooling window has the geometry of a depthwise
 * convolution (one window per channel), so the sizes come from the project's ConvInfo: the same
 * output-size formula and the same "does not fit" errors as conv2d.
 */

/**
 * Max pooling. `out[o]` is the largest element of window o (padding never wins: it is absent, not a
 * sentinel), and `switches[o]` records where it sits in its H*W plane (the lecture's "switches"),
 * -1 only for a window with no input element in it. NaN propagates, as in PyTorch.
 */
export function maxPool2dInto(out: FloatArray, switches: Int32Array, x: FloatArray, g: ConvInfo): void {
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo, kernelHeight: kh, kernelWidth: kw } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padTop, padLeft } = g;
  const planes = g.batch * g.inChannels;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - padTop;
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - padLeft;
        let best = -Infinity;
        let at = -1;
        for (let i = 0; i < kh; i++) {
          const h = h0 + i * dh;
          if (h < 0 || h >= H) continue;
          const row = h * W;
          for (let j = 0; j < kw; j++) {
            const w = w0 + j * dw;
            if (w < 0 || w >= W) continue;
            const v = x[plane + row + w]!;
            // The first maximum wins ties; a NaN wins over numbers.
            if (at < 0 || v > best || v !== v) {
              best = v;
              at = row + w;
              if (v !== v) break;
            }
          }
          if (best !== best) break;
        }
        out[o] = best;
        switches[o] = at;
        o++;
      }
    }
  }
}

/**
 * Max-pooling backward: each output gradient goes to the element its window chose. `gx` must be
 * zeroed by the caller; overlapping windows that chose the same element add up.
 */
export function maxPool2dBackwardInto(gx: FloatArray, gy: FloatArray, switches: Int32Array, g: ConvInfo): void {
  const planeIn = g.inHeight * g.inWidth;
  const planeOut = g.outHeight * g.outWidth;
  const planes = g.batch * g.inChannels;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * planeIn;
    for (let q = 0; q < planeOut; q++, o++) {
      const at = switches[o]!;
      if (at >= 0) gx[base + at] += gy[o]!;
    }
  }
}

/** Number of input elements (not padding) that window (oh, ow) covers along one axis. */
function realCount(start: number, k: number, d: number, n: number): number {
  let count = 0;
  for (let i = 0; i < k; i++) {
    const h = start + i * d;
    if (h >= 0 && h < n) count++;
  }
  return count;
}

/**
 * Mean pooling: each output is its window's sum divided by the window size (kh*kw, padding counted
 * as zeros, PyTorch's default), or by the number of real elements when `countIncludePad` is false.
 */
export function avgPool2dInto(out: FloatArray, x: FloatArray, g: ConvInfo, countIncludePad: boolean): void {
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo, kernelHeight: kh, kernelWidth: kw } = g;
  const { strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const planes = g.batch * g.inChannels;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - padTop;
      const hLo = Math.max(h0, 0);
      const hHi = Math.min(h0 + kh, H);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - padLeft;
        const wLo = Math.max(w0, 0);
        const wHi = Math.min(w0 + kw, W);
        let sum = 0;
        for (let h = hLo; h < hHi; h++) {
          const row = plane + h * W;
          for (let w = wLo; w < wHi; w++) sum += x[row + w]!;
        }
        const divisor = countIncludePad ? kh * kw : realCount(h0, kh, 1, H) * realCount(w0, kw, 1, W);
        out[o++] = sum / divisor;
      }
    }
  }
}

/**
 * Mean-pooling backward: each element of a window receives the window's output gradient divided by
 * the window size. For non-overlapping p x p windows this is the lecture's
 * `kron(delta, ones(p, p)) / p^2`; overlapping windows add their shares. `gx` must be zeroed.
 */
export function avgPool2dBackwardInto(gx: FloatArray, gy: FloatArray, g: ConvInfo, countIncludePad: boolean): void {
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo, kernelHeight: kh, kernelWidth: kw } = g;
  const { strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const planes = g.batch * g.inChannels;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - padTop;
      const hLo = Math.max(h0, 0);
      const hHi = Math.min(h0 + kh, H);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - padLeft;
        const wLo = Math.max(w0, 0);
        const wHi = Math.min(w0 + kw, W);
        const divisor = countIncludePad ? kh * kw : realCount(h0, kh, 1, H) * realCount(w0, kw, 1, W);
        const share = gy[o++]! / divisor;
        for (let h = hLo; h < hHi; h++) {
          const row = plane + h * W;
          for (let w = wLo; w < wHi; w++) gx[row + w] += share;
        }
      }
    }
  }
}
