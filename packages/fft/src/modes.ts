/**
 * The shape rules of scipy.signal.fftconvolve where they differ from scipy.signal.convolve's
 * (core's `modes.ts` mirrors those): fftconvolve transforms only the axes where neither input has
 * length 1 and broadcasts along the others, so its swap test and its 'valid' size look at the
 * transformed axes only (core's `inputsSwapNeeded` takes the axes, as scipy's does). One helper per scipy helper (scipy/signal/_signaltools.py).
 */
import { centered, type ConvMode, type ConvWindow } from '@convlab/core';

/**
 * scipy's `_init_freq_conv_axes` axis rule: the axes that need a transform are those where
 * neither input has length 1; along the others the product broadcasts.
 */
export function transformAxes(s1: readonly number[], s2: readonly number[]): number[] {
  return s1.map((_, a) => a).filter((a) => s1[a] !== 1 && s2[a] !== 1);
}

/** fftconvolve's 'full' shape: `s1 + s2 - 1` along transformed axes, the broadcast size elsewhere (the same number). */
export function fullShapeOnAxes(s1: readonly number[], s2: readonly number[], axes: readonly number[]): number[] {
  return s1.map((n, a) => (axes.includes(a) ? n + s2[a]! - 1 : Math.max(n, s2[a]!)));
}

/**
 * scipy's `_apply_conv_mode(ret, s1, s2, mode, axes)` with the inputs already in scipy's order:
 * the window of the full result that `mode` keeps. 'same' is the centre of size s1; 'valid' the
 * centre of size s1 - s2 + 1 along the transformed axes and the full, broadcast size elsewhere.
 */
export function applyConvModeOnAxes(
  full: readonly number[],
  s1: readonly number[],
  s2: readonly number[],
  mode: ConvMode,
  axes: readonly number[],
): ConvWindow {
  if (mode === 'full') return { start: full.map(() => 0), shape: [...full] };
  if (mode === 'same') return centered(full, s1);
  return centered(
    full,
    full.map((n, a) => (axes.includes(a) ? s1[a]! - s2[a]! + 1 : n)),
  );
}
