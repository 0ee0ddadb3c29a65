/** scipy.signal.convolve2d and scipy.signal.correlate2d for real input, boundary 'fill'. */

import { arrayFor, dense, fromDense, resultDtype, sizeOf } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { checkAllocation } from '../limits.js';
import { convolveWindow, convolveWindowInto, reversed } from './direct.js';
import { asTensor, checkNotEmpty, checkRank } from './inputs.js';
import type { TensorLike } from './inputs.js';
import { applyConvMode, checkMode, inputsSwapNeeded } from './modes.js';
import type { ConvMode, ConvWindow } from './modes.js';

/** scipy's boundary names; only 'fill' (pad with `fillvalue`) is implemented. */
export type Boundary = 'fill' | 'wrap' | 'circular' | 'symm' | 'symmetric';

function checkInputs2d(aIn: TensorLike, bIn: TensorLike, who: string): [Tensor, Tensor] {
  const a = asTensor(aIn, who, 'a');
  const b = asTensor(bIn, who, 'b');
  checkRank(a, who, 'a', [2]);
  checkRank(b, who, 'b', [2]);
  checkNotEmpty(a, who, 'a');
  checkNotEmpty(b, who, 'b');
  return [a, b];
}

function checkBoundary(boundaryIn: unknown, fillvalueIn: unknown, who: string): number {
  // null is 'not given', as everywhere: scipy's defaults.
  const boundary = boundaryIn ?? 'fill';
  const fillvalue = fillvalueIn ?? 0;
  if (boundary !== 'fill') {
    const known = ['wrap', 'circular', 'symm', 'symmetric'].includes(boundary as string);
    throw new Error(
      known
        ? `${who}: boundary '${boundary as string}' is not supported; only 'fill' (pad with fillvalue) is`
        : `${who}: boundary must be 'fill', got ${JSON.stringify(boundary)}`,
    );
  }
  if (typeof fillvalue !== 'number' || !Number.isFinite(fillvalue)) {
    throw new Error(`${who}: fillvalue must be a finite number, got ${JSON.stringify(fillvalue)}`);
  }
  return fillvalue;
}

/**
 * A window of the full convolution of `a` padded with `fill` everywhere outside it, and `b`.
 * Padding with a constant c adds c * sum(b) wherever b overhangs a, so the result is the
 * zero-fill convolution of (a - c) plus c * sum(b) at every position.
 */
function convolveFilled(a: Tensor, b: Tensor, window: ConvWindow, reverseB: boolean, fill: number, who: string): Tensor {
  if (fill === 0) return convolveWindow(a, b, window, reverseB, who);
  checkAllocation(who, 'sums', window.shape, 'float64');
  const aData = dense(a).data;
  const shifted = new Float64Array(aData.length);
  for (let i = 0; i < aData.length; i++) shifted[i] = aData[i]! - fill;
  const bData = dense(b).data;
  let sumB = 0;
  for (let i = 0; i < bData.length; i++) sumB += bData[i]!;
  const sum = new Float64Array(sizeOf(window.shape));
  convolveWindowInto(sum, shifted, a.shape, reverseB ? reversed(bData) : bData, b.shape, window);
  const out = arrayFor(resultDtype(a, b), sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = sum[i]! + fill * sumB;
  return fromDense(out, window.shape);
}

/**
 * 2-D convolution as `scipy.signal.convolve2d(a, b, mode, boundary='fill', fillvalue)`: modes
 * as in `convolve` ('same' is the centre of the full result with the shape of `a`; for an even
 * `b` the extra row/column is cut from the end). 'valid' needs one input at least as large as
 * the other in both axes; its output never touches the padding, so `fillvalue` has no effect.
 */
export function convolve2d(
  a: TensorLike,
  b: TensorLike,
  mode: ConvMode = 'full',
  boundary: Boundary = 'fill',
  fillvalue = 0,
): Tensor {
  const who = 'convolve2d';
  const m = checkMode(mode, who);
  const fill = checkBoundary(boundary, fillvalue, who);
  const [x, y] = checkInputs2d(a, b, who);
  // scipy swaps the inputs when the second is the larger in 'valid'; convolution commutes.
  inputsSwapNeeded(m, x.shape, y.shape, who);
  return convolveFilled(x, y, applyConvMode(x.shape, y.shape, m), false, m === 'valid' ? 0 : fill, who);
}

/**
 * 2-D cross-correlation as `scipy.signal.correlate2d(a, b, mode, boundary='fill', fillvalue)`.
 * 'full' and 'valid' equal `correlate`'s. 'same' differs for an even-sized `b`: scipy's 2-D
 * routine centres the kernel it slides, and correlation slides `b` unreversed, so the window
 * starts at `len(b) // 2` of the full correlation instead of `(len(b) - 1) // 2`; the one-row
 * `correlate2d([[1,2,3,4,5]], [[1,2,3,4]], 'same')` is `[[20, 30, 40, 26, 14]]`.
 */
export function correlate2d(
  a: TensorLike,
  b: TensorLike,
  mode: ConvMode = 'full',
  boundary: Boundary = 'fill',
  fillvalue = 0,
): Tensor {
  const who = 'correlate2d';
  const m = checkMode(mode, who);
  const fill = checkBoundary(boundary, fillvalue, who);
  const [x, y] = checkInputs2d(a, b, who);
  // scipy swaps the inputs when the second is the larger in 'valid' and reverses the result to
  // undo it: the same centre window of the full correlation.
  inputsSwapNeeded(m, x.shape, y.shape, who);
  const window =
    m === 'same' ? { start: y.shape.map((n) => Math.floor(n / 2)), shape: [...x.shape] } : applyConvMode(x.shape, y.shape, m);
  return convolveFilled(x, y, window, true, m === 'valid' ? 0 : fill, who);
}
