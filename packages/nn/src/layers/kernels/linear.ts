import { gemmParallelInto } from '@convlab/core';
import type { FloatArray, WorkerPool } from '@convlab/core';

/**
 * The three products of a fully connected layer y = x W^T + b, with x [n, in], W [out, in], all on
 * the project's blocked GEMM on core's worker pool (gemmParallelInto, bit-identical at any thread
 * count; `pool` undefined is core's default pool): the forward pass, dL/dx = gy W, and
 * dL/dW += gy^T x (the lecture's a^(l-1) (delta^l)^T, accumulated).
 */

/** y[n, out] = x[n, in] W[out, in]^T + b[out] (b may be null). */
export function linearInto(y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | null, n: number, inF: number, outF: number, pool?: WorkerPool): void {
  if (b === null) {
    gemmParallelInto(y, x, w, n, outF, inF, { transB: true, pool });
    return;
  }
  for (let r = 0; r < n; r++) y.set(b, r * outF);
  gemmParallelInto(y, x, w, n, outF, inF, { transB: true, beta: 1, pool });
}

/** gx[n, in] = gy[n, out] W[out, in]. */
export function linearGradInputInto(gx: FloatArray, gy: FloatArray, w: FloatArray, n: number, inF: number, outF: number, pool?: WorkerPool): void {
  gemmParallelInto(gx, gy, w, n, inF, outF, { pool });
}

/** gw[out, in] += gy[n, out]^T x[n, in]; gb[out] += column sums of gy (gb may be null). */
export function linearGradParamsInto(
  gw: FloatArray,
  gb: FloatArray | null,
  gy: FloatArray,
  x: FloatArray,
  n: number,
  inF: number,
  outF: number,
  pool?: WorkerPool,
): void {
  gemmParallelInto(gw, gy, x, outF, inF, n, { transA: true, beta: 1, pool });
  if (gb === null) return;
  for (let o = 0; o < outF; o++) {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += gy[r * outF + o]!;
    gb[o] += sum;
  }
}
