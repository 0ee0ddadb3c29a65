/**
 * Output modes of scipy.signal's convolve / correlate family, and the small helpers that
 * turn a mode into "which part of the full result to keep". Each helper mirrors one of
 * scipy's (`scipy/signal/_signaltools.py`), except that it returns the window to compute
 * instead of slicing an already computed full result: our kernels compute only that window.
 */

/** `'full'`: every overlap; `'valid'`: only full overlaps; `'same'`: the size of the first input. */
export type ConvMode = 'full' | 'valid' | 'same';

/** A box of the full result: where it starts along each axis and how long it is. */
export interface ConvWindow {
  start: number[];
  shape: number[];
}

const MODES: readonly ConvMode[] = ['full', 'valid', 'same'];

/** The mode, or an error naming the bad value (mirrors scipy's `_valfrommode`). */
export function checkMode(mode: unknown, who: string): ConvMode {
  if (mode === undefined || mode === null) return 'full';
  if (typeof mode !== 'string' || !MODES.includes(mode as ConvMode)) {
    throw new Error(`${who}: mode must be 'full', 'valid' or 'same', got ${JSON.stringify(mode)}`);
  }
  return mode as ConvMode;
}

/** Shape of the full convolution: `n1 + n2 - 1` along each axis. */
export function fullShape(s1: readonly number[], s2: readonly number[]): number[] {
  return s1.map((n, i) => n + s2[i]! - 1);
}

/**
 * Mirrors scipy's `_inputs_swap_needed(mode, shape1, shape2, axes)`: in 'valid' mode one input
 * must be at least as large as the other along every axis of `axes` (default: all; fftconvolve
 * passes the transformed ones), else an error naming both shapes (`shown`, the caller's shapes,
 * for the message); returns true when the second is the larger one, i.e. when scipy swaps the
 * inputs. Any other mode never swaps.
 */
export function inputsSwapNeeded(
  mode: ConvMode,
  s1: readonly number[],
  s2: readonly number[],
  who: string,
  axes: readonly number[] = s1.map((_, a) => a),
  shown: readonly [readonly number[], readonly number[]] = [s1, s2],
): boolean {
  if (mode !== 'valid' || s1.length === 0) return false;
  const ok1 = axes.every((a) => s1[a]! >= s2[a]!);
  const ok2 = axes.every((a) => s2[a]! >= s1[a]!);
  if (!ok1 && !ok2) {
    throw new Error(
      `${who}: mode 'valid' needs one input at least as large as the other in every axis, ` +
        `got shapes [${shown[0].join(', ')}] and [${shown[1].join(', ')}]`,
    );
  }
  return !ok1;
}

/**
 * Mirrors scipy's `_centered(arr, newshape)`: the centre `newShape` box of an array of shape
 * `shape` starts at `(shape - newShape) // 2` along each axis (the extra element, if any, is cut
 * from the end).
 */
export function centered(shape: readonly number[], newShape: readonly number[]): ConvWindow {
  return { start: shape.map((n, i) => Math.floor((n - newShape[i]!) / 2)), shape: [...newShape] };
}

/**
 * Mirrors scipy's `_apply_conv_mode(ret, s1, s2, mode, axes)`: the window of the full result
 * (shape `s1 + s2 - 1`) that a mode keeps. 'full' keeps all; 'same' the centre box of the first
 * input's shape; 'valid' the centre box of shape `|s1 - s2| + 1`, i.e. the positions where one
 * input overlaps the other completely. (scipy writes `s1 - s2 + 1`, after swapping the inputs so
 * that the first is the larger; the centre box is the same either way.)
 */
export function applyConvMode(s1: readonly number[], s2: readonly number[], mode: ConvMode): ConvWindow {
  const full = fullShape(s1, s2);
  if (mode === 'full') return { start: full.map(() => 0), shape: full };
  if (mode === 'same') return centered(full, s1);
  return centered(
    full,
    s1.map((n, i) => Math.abs(n - s2[i]!) + 1),
  );
}
