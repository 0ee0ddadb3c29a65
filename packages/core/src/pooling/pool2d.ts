import type { FloatArray } from '../tensor.js';
import type { ConvInfo } from '../conv/conv-info.js';

/**
 * Pooling kernels on flat NCHW typed arrays. A pooling window has the geometry of a depthwise
 * convolution (one window per channel), so the sizes come from the project's ConvInfo: the same
 * output-size formula and the same "does not fit" errors as conv2d.
 */

/**
 * Max pooling. `out[o]` is the largest element of window o (padding never wins: it is absent, not a
 * sentinel), and `switches[o]` records where it sits in its H*W plane (the lecture's "switches"),
 * -1 only for a window with no input element in it. NaN propagates, as in PyTorch. Non-overlapping
 * 2x2 windows (LeNet's pooling) take `maxPool2x2Into`, which gives the same numbers and switches.
 */
export function maxPool2dInto(out: FloatArray, switches: Int32Array, x: FloatArray, g: ConvInfo): void {
  if (isPool2x2(g)) maxPool2x2Into(out, switches, x, g);
  else maxPool2dWindowsInto(out, switches, x, g);
}

/**
 * Max-pooling backward: each output gradient goes to the element its window chose, every other
 * element of `gx` is set to zero; overlapping windows that chose the same element add up.
 */
export function maxPool2dBackwardInto(gx: FloatArray, gy: FloatArray, switches: Int32Array, g: ConvInfo): void {
  // One zeroing pass then a scatter beats writing each 2x2 window's four elements once (measured).
  gx.fill(0);
  maxPool2dScatterInto(gx, gy, switches, g);
}

/** 2x2 windows at stride 2, no padding, no dilation: every window holds four input elements and no two windows share one. */
export function isPool2x2(g: ConvInfo): boolean {
  return (
    g.kernelHeight === 2 &&
    g.kernelWidth === 2 &&
    g.strideHeight === 2 &&
    g.strideWidth === 2 &&
    g.dilationHeight === 1 &&
    g.dilationWidth === 1 &&
    g.padTop === 0 &&
    g.padLeft === 0
  );
}

/** Max pooling with any window, stride, padding and dilation: the plain loop over each window. */
export function maxPool2dWindowsInto(out: FloatArray, switches: Int32Array, x: FloatArray, g: ConvInfo): void {
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
 * Max pooling over 2x2 windows at stride 2 (isPool2x2), without branches on the data: a
 * comparison gives 0 or 1 as a number, and the winner's offset is computed from those
 * bits. On real activations the plain loop's data-dependent branches mispredict about half the
 * time, which costs more than the arithmetic (measured about 2.5 times slower on LeNet's first pooling).
 *
 * The result is the plain loop's: it scans a0, a1, b0, b1 (top row, then bottom) and keeps the
 * first strict maximum, or the first NaN. Here the top pair's winner is a1 when a1 > a0 or a1 is
 * NaN, unless a0 is NaN; the bottom pair likewise; and the bottom winner beats the top winner on the
 * same rule, so a later element wins only when strictly greater (ties, ±0 included, go to the
 * first) and the first NaN in scan order wins. A floored odd size leaves the last row or column
 * out, as the plain loop does.
 */
export function maxPool2x2Into(out: FloatArray, switches: Int32Array, x: FloatArray, g: ConvInfo): void {
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = g;
  const planes = g.batch * g.inChannels;
  const planeIn = H * W;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * planeIn;
    for (let oh = 0; oh < Ho; oh++) {
      // at: the window's top-left element as a position in its plane, as the switches record it.
      let at = 2 * oh * W;
      for (let ow = 0; ow < Wo; ow++, o++, at += 2) {
        const i = base + at;
        const a0 = x[i]!;
        const a1 = x[i + 1]!;
        const b0 = x[i + W]!;
        const b1 = x[i + W + 1]!;
        // +(comparison) is 0 or 1: a number, not a branch.
        const top = (+(a1 > a0) | +(a1 !== a1)) & +(a0 === a0);
        const bottom = (+(b1 > b0) | +(b1 !== b1)) & +(b0 === b0);
        const t = x[i + top]!;
        const b = x[i + W + bottom]!;
        const down = (+(b > t) | +(b !== b)) & +(t === t);
        const pick = at + top + down * (W + bottom - top);
        out[o] = x[base + pick]!;
        switches[o] = pick;
      }
    }
  }
}

/** Adds each output gradient at its switch (any geometry); `gx` must be zeroed by the caller. */
export function maxPool2dScatterInto(gx: FloatArray, gy: FloatArray, switches: Int32Array, g: ConvInfo): void {
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
