import type { FloatArray } from '../tensor.js';

/* The two copies of the blocked GEMM (gemm.ts, gemm-simd.ts), shared by its scalar and SIMD paths: packing panels in, scaling products out. */

/**
 * Packs `count` lines (rows of op(A) or columns of op(B)) of `depth` elements into panels of
 * `width` lines: panel by panel, for each depth index the `width` line elements side by side.
 * Line q, depth p of the source is `src[start + q * lineStride + p * depthStride]`; lines past
 * `count` are zero so that edge tiles need no special kernel.
 */
export function packPanels(
  packed: FloatArray,
  src: FloatArray,
  start: number,
  lineStride: number,
  depthStride: number,
  count: number,
  depth: number,
  width: number,
): void {
  let at = 0;
  for (let q0 = 0; q0 < count; q0 += width) {
    const full = Math.min(width, count - q0);
    for (let p = 0; p < depth; p++) {
      const base = start + q0 * lineStride + p * depthStride;
      let q = 0;
      for (; q < full; q++) packed[at++] = src[base + q * lineStride]!;
      for (; q < width; q++) packed[at++] = 0;
    }
  }
}

/**
 * C[rows x cols at `start`] = beta * C + alpha * products, the products row-major with leading
 * dimension `ld` from index 0 of `products` (beta 0 ignores the old C, NaN included).
 */
export function writeScaled(
  c: FloatArray,
  start: number,
  ldc: number,
  rows: number,
  cols: number,
  alpha: number,
  beta: number,
  products: FloatArray,
  ld: number,
): void {
  for (let r = 0; r < rows; r++) {
    const row = start + r * ldc;
    const t = r * ld;
    if (beta === 0) {
      for (let s = 0; s < cols; s++) c[row + s] = alpha * products[t + s]!;
    } else if (beta === 1) {
      for (let s = 0; s < cols; s++) c[row + s] = c[row + s]! + alpha * products[t + s]!;
    } else {
      for (let s = 0; s < cols; s++) c[row + s] = beta * c[row + s]! + alpha * products[t + s]!;
    }
  }
}
