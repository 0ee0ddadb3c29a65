import type { FloatArray } from '@convlab/core';

/**
 * Elementwise activations and their derivatives, written in terms of what the forward pass kept:
 * tanh' = 1 - y^2, sigmoid' = y (1 - y) and relu' = [y > 0] (y > 0 exactly when x > 0), all from the
 * output y, so a layer keeps only its output.
 */

export function tanhInto(y: FloatArray, x: FloatArray): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!);
}

/** gx = gy * (1 - y^2). */
export function tanhBackwardInto(gx: FloatArray, gy: FloatArray, y: FloatArray): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    gx[i] = gy[i]! * (1 - v * v);
  }
}

/** The logistic function, evaluated so that exp never overflows. */
export function sigmoidInto(y: FloatArray, x: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= 0) {
      y[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

/** gx = gy * y * (1 - y). */
export function sigmoidBackwardInto(gx: FloatArray, gy: FloatArray, y: FloatArray): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    gx[i] = gy[i]! * v * (1 - v);
  }
}

/** max(x, 0); NaN stays NaN, as in PyTorch. */
export function reluInto(y: FloatArray, x: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v > 0 || v !== v ? v : 0;
  }
}

/** gx = gy where y > 0, else 0 (the subgradient at 0 is 0, as in PyTorch). */
export function reluBackwardInto(gx: FloatArray, gy: FloatArray, y: FloatArray): void {
  for (let i = 0; i < y.length; i++) gx[i] = y[i]! > 0 ? gy[i]! : 0;
}
