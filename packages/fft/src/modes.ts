/**
 * The shape rules of scipy.signal.fftconvolve, one helper per scipy helper
 * (scipy/signal/_signaltools.py), working on shapes and windows instead of slicing arrays.
 */

export type ConvMode = 'full' | 'valid' | 'same';

export function checkMode(mode: unknown, who: string): ConvMode {
  if (mode === 'full' || mode === 'valid' || mode === 'same') return mode;
  throw new Error(`${who}: mode must be 'full', 'valid' or 'same', got ${JSON.stringify(mode)}`);
}

/** A box inside the full result: where it starts along each axis and how long it is. */
export interface Window {
  start: number[];
  shape: number[];
}

/** scipy's `_centered(arr, newshape)`: the centre `newshape` of an array of shape `currshape`. */
export function centered(currshape: readonly number[], newshape: readonly number[]): Window {
  return {
    start: currshape.map((n, k) => Math.floor((n - newshape[k]!) / 2)),
    shape: [...newshape],
  };
}

/**
 * scipy's `_init_freq_conv_axes` axis rule: the axes that need a transform are those where
 * neither input has length 1; along the others the product broadcasts.
 */
export function transformAxes(s1: readonly number[], s2: readonly number[]): number[] {
  return s1.map((_, a) => a).filter((a) => s1[a] !== 1 && s2[a] !== 1);
}

/**
 * scipy's `_inputs_swap_needed(mode, shape1, shape2, axes)`: in 'valid' mode the larger input
 * must come first; when neither is at least as large as the other along every axis, an error.
 */
export function inputsSwapNeeded(
  mode: ConvMode,
  s1: readonly number[],
  s2: readonly number[],
  axes: readonly number[],
  who: string,
  shown: readonly [readonly number[], readonly number[]] = [s1, s2],
): boolean {
  if (mode !== 'valid' || s1.length === 0) return false;
  const ok1 = axes.every((a) => s1[a]! >= s2[a]!);
  const ok2 = axes.every((a) => s2[a]! >= s1[a]!);
  if (!(ok1 || ok2)) {
    throw new Error(
      `${who}: for 'valid' mode one input must be at least as large as the other in every dimension, ` +
        `got shapes [${shown[0].join(', ')}] and [${shown[1].join(', ')}]`,
    );
  }
  return !ok1;
}

/** The shape of the 'full' result: `s1 + s2 - 1` along transformed axes, the broadcast size elsewhere. */
export function fullShape(s1: readonly number[], s2: readonly number[], axes: readonly number[]): number[] {
  return s1.map((n, a) => (axes.includes(a) ? n + s2[a]! - 1 : Math.max(n, s2[a]!)));
}

/**
 * scipy's `_apply_conv_mode(ret, s1, s2, mode, axes)`: the window of the full result that `mode`
 * keeps. 'same' is the centre of size s1; 'valid' the centre of size s1 - s2 + 1 along the
 * transformed axes (the full, broadcast size along the others).
 */
export function applyConvMode(
  full: readonly number[],
  s1: readonly number[],
  s2: readonly number[],
  mode: ConvMode,
  axes: readonly number[],
): Window {
  if (mode === 'full') return { start: full.map(() => 0), shape: [...full] };
  if (mode === 'same') return centered(full, s1);
  const valid = full.map((n, a) => (axes.includes(a) ? s1[a]! - s2[a]! + 1 : n));
  return centered(full, valid);
}
