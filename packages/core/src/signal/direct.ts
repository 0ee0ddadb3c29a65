/**
 * The direct convolution kernel behind convolve, correlate, convolve2d and correlate2d: one
 * window of the full N-D convolution (N <= 3), as plain loops over flat row-major typed arrays.
 */

import { dense, fromDense, resultDtype } from '../tensor.js';
import { allocate } from '../limits.js';
import type { FloatArray, Tensor } from '../tensor.js';
import type { ConvWindow } from './modes.js';

/** Up to three values with `fill` added in front, so one 3-D loop serves 1-D, 2-D and 3-D. */
function pad3(values: readonly number[], fill: number): [number, number, number] {
  const s = [fill, fill, fill, ...values].slice(-3);
  return [s[0]!, s[1]!, s[2]!];
}

/**
 * Writes into `out` (row-major, `window.shape`) the box `window` of the full convolution
 * `full[p] = sum_j a[p - j] * b[j]` of `a` (shape `aShape`) and `b` (shape `bShape`), all of
 * the same rank (1 to 3). Sums run in float64 and are rounded once when stored, so float32
 * output differs from the exact sum by one rounding. For each output element the loops visit
 * only the `j` where `a[p - j]` exists, so the zero padding costs nothing and either input may
 * be the larger.
 */
export function convolveWindowInto(
  out: FloatArray,
  a: FloatArray,
  aShape: readonly number[],
  b: FloatArray,
  bShape: readonly number[],
  window: ConvWindow,
): void {
  const [na0, na1, na2] = pad3(aShape, 1);
  const [nb0, nb1, nb2] = pad3(bShape, 1);
  const [s0, s1, s2] = pad3(window.start, 0);
  const [no0, no1, no2] = pad3(window.shape, 1);
  let k = 0;
  for (let o0 = 0; o0 < no0; o0++) {
    const p0 = o0 + s0;
    const j0lo = Math.max(0, p0 - na0 + 1);
    const j0hi = Math.min(nb0 - 1, p0);
    for (let o1 = 0; o1 < no1; o1++) {
      const p1 = o1 + s1;
      const j1lo = Math.max(0, p1 - na1 + 1);
      const j1hi = Math.min(nb1 - 1, p1);
      for (let o2 = 0; o2 < no2; o2++) {
        const p2 = o2 + s2;
        const j2lo = Math.max(0, p2 - na2 + 1);
        const j2hi = Math.min(nb2 - 1, p2);
        let acc = 0;
        for (let j0 = j0lo; j0 <= j0hi; j0++) {
          const aPlane = (p0 - j0) * na1;
          const bPlane = j0 * nb1;
          for (let j1 = j1lo; j1 <= j1hi; j1++) {
            // a[i0, i1, p2 - j2] * b[j0, j1, j2]: a runs backwards while b runs forwards.
            const aRow = (aPlane + p1 - j1) * na2 + p2;
            const bRow = (bPlane + j1) * nb2;
            for (let j2 = j2lo; j2 <= j2hi; j2++) acc += a[aRow - j2]! * b[bRow + j2]!;
          }
        }
        out[k++] = acc;
      }
    }
  }
}

/**
 * The elements of a row-major array in reverse order: for a flat buffer that is the array
 * reversed along every axis at once (scipy's `_reverse_and_conj` for real input).
 */
export function reversed(x: FloatArray): FloatArray {
  return x.slice().reverse();
}

/**
 * The box `window` of the full convolution of `a` and `b` (or, with `reverseB`, of `a` and `b`
 * reversed along every axis, which is the full correlation) as a new tensor. Views are gathered
 * first; the output is float32 only when both inputs are.
 */
export function convolveWindow(a: Tensor, b: Tensor, window: ConvWindow, reverseB: boolean, who: string): Tensor {
  const out = allocate(who, 'output', window.shape, resultDtype(a, b));
  const bData = dense(b).data;
  convolveWindowInto(out, dense(a).data, a.shape, reverseB ? reversed(bData) : bData, b.shape, window);
  return fromDense(out, window.shape);
}
