import type { FloatArray } from '@convlab/core';

/**
 * The three products of a fully connected layer y = x W^T + b, with x [n, in], W [out, in]:
 * the forward pass, dL/dx = gy W, and dL/dW += gy^T x (the lecture's a^(l-1) (delta^l)^T).
 */

/** y[n, out] = x[n, in] W[out, in]^T + b[out] (b may be null). */
export function linearInto(y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | null, n: number, inF: number, outF: number): void {
  for (let r = 0; r < n; r++) {
    const xr = r * inF;
    const yr = r * outF;
    for (let o = 0; o < outF; o++) {
      const wr = o * inF;
      let sum = 0;
      for (let i = 0; i < inF; i++) sum += x[xr + i]! * w[wr + i]!;
      y[yr + o] = b === null ? sum : sum + b[o]!;
    }
  }
}

/** gx[n, in] = gy[n, out] W[out, in]. */
export function linearGradInputInto(gx: FloatArray, gy: FloatArray, w: FloatArray, n: number, inF: number, outF: number): void {
  const row = new Float64Array(inF);
  for (let r = 0; r < n; r++) {
    row.fill(0);
    const gr = r * outF;
    for (let o = 0; o < outF; o++) {
      const g = gy[gr + o]!;
      if (g === 0) continue;
      const wr = o * inF;
      for (let i = 0; i < inF; i++) row[i] += g * w[wr + i]!;
    }
    gx.set(row, r * inF);
  }
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
): void {
  const row = new Float64Array(inF);
  for (let o = 0; o < outF; o++) {
    row.fill(0);
    let bias = 0;
    for (let r = 0; r < n; r++) {
      const g = gy[r * outF + o]!;
      bias += g;
      if (g === 0) continue;
      const xr = r * inF;
      for (let i = 0; i < inF; i++) row[i] += g * x[xr + i]!;
    }
    const wr = o * inF;
    for (let i = 0; i < inF; i++) gw[wr + i] += row[i]!;
    if (gb !== null) gb[o] += bias;
  }
}
