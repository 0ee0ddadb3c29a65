/**
 * The lecture's Python loops, written the same way in TypeScript: a loop over (sample, filter,
 * input map) calling a single-image 2-D correlate or convolve on views of the batch (`x.pick(i,
 * k)`, numpy's `x[i, k]`), with the partial results summed. They are the "loop" column of the
 * reproduction: the structure is the lecture's, only the language differs. Each follows its
 * slide line by line; the names in the comments are the slide's.
 */
import { convolve2d, correlate2d, dense, zeros } from '@convlab/core';
import type { Tensor } from '@convlab/core';

/** Adds a 2-D result into a flat accumulator (numpy's `tmp += ...`). */
function addInto(acc: Float64Array, part: Tensor): void {
  const d = dense(part).data;
  for (let i = 0; i < acc.length; i++) acc[i]! += d[i]!;
}

/** Writes an accumulator plus a constant into the contiguous plane `out[i, j]`. */
function storePlane(out: Tensor, i: number, j: number, acc: Float64Array, add: number): void {
  const plane = out.pick(i, j);
  const data = out.data;
  let base = plane.offset;
  const width = plane.shape[1]!;
  for (let r = 0, k = 0; r < plane.shape[0]!; r++, base += plane.stride[0]!) {
    for (let c = 0; c < width; c++, k++) data[base + c * plane.stride[1]!] = acc[k]! + add;
  }
}

/**
 * Forward convolution, "Bottle neck (1), for loop": z[i, j] = sum_k correlate2d(x[i, k], W[j, k],
 * 'valid') + b[j]. x [N, C, H, W], w [K, C, kh, kw], b [K] -> [N, K, H-kh+1, W-kw+1].
 */
export function convForwardLoop(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [kOut, , kh, kw] = w.shape as [number, number, number, number];
  const oh = h - kh + 1;
  const ow = wd - kw + 1;
  const z = zeros([n, kOut, oh, ow], 'float32');
  const tmp = new Float64Array(oh * ow);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < kOut; j++) {
      tmp.fill(0);
      for (let k = 0; k < c; k++) addInto(tmp, correlate2d(x.pick(i, k), w.pick(j, k), 'valid'));
      storePlane(z, i, j, tmp, b.get(j));
    }
  }
  return z;
}

/** The largest element of a 2-D view (numpy.max(tmp)). */
function viewMax(v: Tensor): number {
  const { data, offset, stride, shape } = v;
  let best = -Infinity;
  for (let r = 0; r < shape[0]!; r++) {
    for (let c = 0; c < shape[1]!; c++) {
      const value = data[offset + r * stride[0]! + c * stride[1]!]!;
      if (value > best) best = value;
    }
  }
  return best;
}

/** The flat row-major index of the first largest element of a 2-D view (numpy.argmax(tmp)). */
function viewArgmax(v: Tensor): number {
  const { data, offset, stride, shape } = v;
  let best = -Infinity;
  let at = 0;
  for (let r = 0; r < shape[0]!; r++) {
    for (let c = 0; c < shape[1]!; c++) {
      const value = data[offset + r * stride[0]! + c * stride[1]!]!;
      if (value > best) {
        best = value;
        at = r * shape[1]! + c;
      }
    }
  }
  return at;
}

export interface PoolLoopResult {
  a: Tensor;
  /** a_max_index_row / a_max_index_col of the slide: [N, C, rows*cols] input coordinates of each max. */
  maxRow: Int32Array;
  maxCol: Int32Array;
}

/**
 * Max pooling, "Bottle neck (2), for loop": per sample, feature map and window, the window as
 * a view (`tt[:, l*p:(l+1)*p]`), its max and its argmax, split into the row and column the
 * backward pass routes the gradient to.
 */
export function maxPoolLoop(x: Tensor, pool: number): PoolLoopResult {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const rows = Math.floor(h / pool);
  const cols = Math.floor(wd / pool);
  const a = zeros([n, c, rows, cols], 'float32');
  const maxRow = new Int32Array(n * c * rows * cols);
  const maxCol = new Int32Array(n * c * rows * cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const plane = x.pick(i, j);
      const aPlane = a.pick(i, j);
      for (let k = 0; k < rows; k++) {
        const tt = plane.lo(k * pool, 0).hi(pool, wd);
        for (let l = 0; l < cols; l++) {
          const tmp = tt.lo(0, l * pool).hi(pool, pool);
          aPlane.data[aPlane.offset + k * aPlane.stride[0]! + l * aPlane.stride[1]!] = viewMax(tmp);
          const inner = viewArgmax(tmp);
          const at = (i * c + j) * rows * cols + k * cols + l;
          maxRow[at] = k * pool + Math.floor(inner / pool);
          maxCol[at] = l * pool + (inner % pool);
        }
      }
    }
  }
  return { a, maxRow, maxCol };
}

/**
 * The pool layer's delta from the next conv layer, "Bottle neck (4), for loop":
 * delta_pooling[i, j] = sum_k convolve2d(next_delta[i, k], next_W[k, j], 'full').
 * gy [N, K, oh, ow], w [K, C, kh, kw] -> [N, C, oh+kh-1, ow+kw-1].
 */
export function poolDeltaLoop(gy: Tensor, w: Tensor): Tensor {
  const [n, kOut, oh, ow] = gy.shape as [number, number, number, number];
  const [, c, kh, kw] = w.shape as [number, number, number, number];
  const h = oh + kh - 1;
  const wd = ow + kw - 1;
  const delta = zeros([n, c, h, wd], 'float32');
  const dummy = new Float64Array(h * wd);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      dummy.fill(0);
      for (let k = 0; k < kOut; k++) addInto(dummy, convolve2d(gy.pick(i, k), w.pick(k, j), 'full'));
      storePlane(delta, i, j, dummy, 0);
    }
  }
  return delta;
}

/**
 * The weight gradient, "Bottle neck (5), for loop": per filter j, input map k and sample i,
 * dW[j, k] += correlate2d(x[i, k], delta[i, j], 'valid') (the slide writes the same product as
 * a convolution with the delta rotated by 180 degrees). x [N, C, H, W], delta [N, K, oh, ow]
 * -> [K, C, H-oh+1, W-ow+1].
 */
export function weightGradLoop(x: Tensor, delta: Tensor): Tensor {
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [, kOut, oh, ow] = delta.shape as [number, number, number, number];
  const kh = h - oh + 1;
  const kw = wd - ow + 1;
  const dw = zeros([kOut, c, kh, kw], 'float32');
  const acc = new Float64Array(kh * kw);
  for (let j = 0; j < kOut; j++) {
    for (let k = 0; k < c; k++) {
      acc.fill(0);
      for (let i = 0; i < n; i++) addInto(acc, correlate2d(x.pick(i, k), delta.pick(i, j), 'valid'));
      storePlane(dw, j, k, acc, 0);
    }
  }
  return dw;
}
