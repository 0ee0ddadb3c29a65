/** scipy.signal.convolve and scipy.signal.correlate (method='direct') for real 1-D to 3-D input. */

import type { Tensor } from '../tensor.js';
import { convolveWindow } from './direct.js';
import { asTensor, checkNotEmpty, checkRank, checkSameRank } from './inputs.js';
import type { TensorLike } from './inputs.js';
import { applyConvMode, checkMode, inputsSwapNeeded } from './modes.js';
import type { ConvMode } from './modes.js';

export interface ConvolveOptions {
  /** 'full' (default), 'valid' or 'same', as in scipy.signal. */
  mode?: ConvMode;
}

/** The mode from `{ mode }` or from a bare mode string (scipy's positional style). */
function modeFrom(options: ConvolveOptions | ConvMode | undefined, who: string): ConvMode {
  const mode = typeof options === 'object' && options !== null ? options.mode : options;
  return checkMode(mode, who);
}

function checkInputs(aIn: TensorLike, bIn: TensorLike, who: string): [Tensor, Tensor] {
  const a = asTensor(aIn, who, 'a');
  const b = asTensor(bIn, who, 'b');
  checkSameRank(a, b, who);
  checkRank(a, who, 'a', [1, 2, 3]);
  checkNotEmpty(a, who, 'a');
  checkNotEmpty(b, who, 'b');
  return [a, b];
}

/**
 * The discrete linear convolution of `a` and `b` (same rank, 1-D to 3-D), as
 * `scipy.signal.convolve(a, b, mode, method='direct')`:
 * - 'full' (default): shape `a + b - 1`;
 * - 'same': the shape of `a`, the centre of the full result (for an even `b` the extra
 *   element is cut from the end);
 * - 'valid': shape `|a - b| + 1`, where one input overlaps the other completely; one input
 *   must be at least as large as the other in every axis.
 */
export function convolve(a: TensorLike, b: TensorLike, options?: ConvolveOptions | ConvMode): Tensor {
  const who = 'convolve';
  const mode = modeFrom(options, who);
  const [x, y] = checkInputs(a, b, who);
  // scipy swaps the inputs when the second is the larger in 'valid'; convolution commutes, so
  // the swap only decides whether the shapes are acceptable.
  inputsSwapNeeded(mode, x.shape, y.shape, who);
  return convolveWindow(x, y, applyConvMode(x.shape, y.shape, mode), false, who);
}

/**
 * The cross-correlation `z[k] = sum_n a[n + k] * b[n]` over every overlap, as
 * `scipy.signal.correlate(a, b, mode, method='direct')`: the convolution of `a` with `b`
 * reversed along every axis, with the same modes as `convolve`. For an even-length `b`,
 * 'same' keeps the window starting at `(len(b) - 1) // 2` of the full result, one earlier than
 * `correlate2d` does: `correlate([1,2,3,4,5], [1,2,3,4], 'same')` is `[11, 20, 30, 40, 26]`.
 */
export function correlate(a: TensorLike, b: TensorLike, options?: ConvolveOptions | ConvMode): Tensor {
  const who = 'correlate';
  const mode = modeFrom(options, who);
  const [x, y] = checkInputs(a, b, who);
  // When scipy swaps the inputs in 'valid' it reverses the result to undo the swap, which lands
  // on the same centre window of the full correlation that we compute here.
  inputsSwapNeeded(mode, x.shape, y.shape, who);
  return convolveWindow(x, y, applyConvMode(x.shape, y.shape, mode), true, who);
}
