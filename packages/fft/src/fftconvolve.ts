/**
 * `fftconvolve` and `fftcorrelate`: scipy.signal.fftconvolve and scipy.signal.correlate(method='fft')
 * for 1-D and 2-D real tensors of any sizes. Both inputs are zero padded to a 5-smooth size at
 * least as large as the full result (as scipy.fft.next_fast_len picks; here the one the cost model
 * prices lowest, up to the next power of two), transformed, multiplied, transformed back and cropped to
 * the mode's window. Spectra are float64; a float32 result is rounded once, at the end.
 */
import {
  allocate,
  arrayFor,
  checkAllocation,
  checkMode,
  checkTensor,
  dense,
  fromDense,
  inputsSwapNeeded,
  resultDtype,
  tensor,
  type ConvMode,
  type ConvWindow,
  type FloatArray,
  type Nested,
  type Tensor,
} from '@convlab/core';
import { COST_CONSTANTS } from './cost-constants.js';
import { sizeCandidates, transformWork } from './transforms.js';
import { applyConvModeOnAxes, fullShapeOnAxes, transformAxes } from './modes.js';
import { rfft2Plan } from './rfft2-plan.js';

export interface FftConvolveOptions {
  /** 'full' (default), 'valid' or 'same', as in scipy.signal.fftconvolve. */
  mode?: ConvMode;
}

interface Operand {
  data: FloatArray;
  /** The shape as 2-D: a 1-D input is one row. */
  rows: number;
  cols: number;
}

/** A tensor, or nested arrays of numbers (float64), as core's convolve takes them. */
export type FftInput = Tensor | Nested;

function asTensor(x: FftInput): Tensor {
  return typeof x === 'number' || Array.isArray(x) ? tensor(x) : x;
}

/** `{ mode }` or a bare mode string (scipy's positional style). */
function modeOf(options: FftConvolveOptions | ConvMode | undefined, who: string): ConvMode {
  return checkMode(typeof options === 'object' && options !== null ? options.mode : options, who);
}

function checkInputs(who: string, a: Tensor, b: Tensor): void {
  checkTensor(a, who, 'a', [1, 2]);
  checkTensor(b, who, 'b', [1, 2]);
  if (a.shape.length !== b.shape.length) {
    throw new Error(
      `${who}: a and b must have the same number of dimensions, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    );
  }
  if (a.size === 0 || b.size === 0) {
    throw new Error(`${who}: inputs must not be empty, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
}

function operand(x: Tensor): Operand {
  const { data, shape } = dense(x);
  return shape.length === 1 ? { data, rows: 1, cols: shape[0]! } : { data, rows: shape[0]!, cols: shape[1]! };
}

/** scipy's `_reverse_and_conj` for real data: the input flipped along every axis. */
function reversed(x: Operand): Operand {
  const n = x.data.length;
  const data = arrayFor(x.data instanceof Float32Array ? 'float32' : 'float64', n);
  for (let i = 0; i < n; i++) data[i] = x.data[n - 1 - i]!;
  return { data, rows: x.rows, cols: x.cols };
}

/** The transform size at least `rows` x `cols` with the least predicted work. */
function cheapestPeriod(rows: number, cols: number): [number, number] {
  let best: [number, number] = [rows, cols];
  let bestWork = Infinity;
  for (const h of sizeCandidates(rows)) {
    for (const w of sizeCandidates(cols)) {
      const work = transformWork(h, w, COST_CONSTANTS.mixedRadixFactor);
      if (work < bestWork) {
        bestWork = work;
        best = [h, w];
      }
    }
  }
  return best;
}

/** The full linear convolution, cropped to `window` (2-D), through the real 2-D FFT. */
function convolveSpectral(who: string, a: Operand, b: Operand, full: readonly number[], window: ConvWindow, out: FloatArray): void {
  const [height, width] = cheapestPeriod(full[0]!, full[1]!);
  // The two half spectra of the padded size, checked before the plan allocates its own.
  checkAllocation(who, `spectra of the padded ${height}x${width} FFT`, [2, height, Math.floor(width / 2) + 1], 'complex128');
  const plan = rfft2Plan(height, width);
  const n = 2 * plan.bins;
  const spectrum = new Float64Array(2 * n);
  plan.forward(spectrum, 0, 2, 1, a.data, 0, a.rows, a.cols, a.cols);
  plan.forward(spectrum, n, 2, 1, b.data, 0, b.rows, b.cols, b.cols);
  for (let i = 0; i < n; i += 2) {
    const ar = spectrum[i]!;
    const ai = spectrum[i + 1]!;
    const br = spectrum[n + i]!;
    const bi = spectrum[n + i + 1]!;
    spectrum[i] = ar * br - ai * bi;
    spectrum[i + 1] = ar * bi + ai * br;
  }
  const [rowStart, colStart] = window.start as [number, number];
  const [rowCount, colCount] = window.shape as [number, number];
  plan.inverse(out, 0, colCount, spectrum, 0, 2, 1, rowStart, rowCount, 1, colStart, colCount, 1, 1 / (height * width));
}

/**
 * No axis to transform (every axis has a length-1 input): scipy multiplies with broadcasting,
 * exactly, and so do we.
 */
function broadcastProduct(a: Operand, b: Operand, window: ConvWindow, out: FloatArray): void {
  const [rowStart, colStart] = window.start as [number, number];
  const [rowCount, colCount] = window.shape as [number, number];
  for (let i = 0; i < rowCount; i++) {
    const r = rowStart + i;
    for (let j = 0; j < colCount; j++) {
      const c = colStart + j;
      const x = a.data[(a.rows === 1 ? 0 : r) * a.cols + (a.cols === 1 ? 0 : c)]!;
      const y = b.data[(b.rows === 1 ? 0 : r) * b.cols + (b.cols === 1 ? 0 : c)]!;
      out[i * colCount + j] = x * y;
    }
  }
}

function convolveOperands(who: string, a: Operand, b: Operand, mode: ConvMode, inputs: [Tensor, Tensor]): Tensor {
  const rank = inputs[0].shape.length;
  let s1 = [a.rows, a.cols];
  let s2 = [b.rows, b.cols];
  // A 1-D input's implicit row axis has length 1 on both sides, so it is never transformed and
  // never decides a swap, as in scipy's 1-D case.
  const axes = transformAxes(s1, s2);
  if (inputsSwapNeeded(mode, s1, s2, who, axes, [inputs[0].shape, inputs[1].shape])) {
    [a, b] = [b, a];
    [s1, s2] = [s2, s1];
  }
  const full = fullShapeOnAxes(s1, s2, axes);
  const window = applyConvModeOnAxes(full, s1, s2, mode, axes);
  const shape = rank === 1 ? [window.shape[1]!] : window.shape;
  const out = allocate(who, 'output', shape, resultDtype(...inputs));
  if (axes.length === 0) broadcastProduct(a, b, window, out);
  else convolveSpectral(who, a, b, full, window, out);
  return fromDense(out, shape);
}

/**
 * `scipy.signal.fftconvolve(a, b, mode)` for 1-D or 2-D real tensors (or nested arrays) of the same
 * rank; `options` is `{ mode }` or the mode itself ('full' by default). Output
 * dtype float32 only when both inputs are float32. 'valid' follows scipy: the larger input goes
 * first; along an axis where either input has length 1 scipy broadcasts instead of transforming,
 * so that axis keeps its full size even in 'valid' mode.
 *
 * Non-finite inputs propagate as IEEE arithmetic makes them: a NaN or an infinity anywhere in an
 * input turns every output value into NaN, because every bin of a spectrum sums every sample.
 */
export function fftconvolve(aIn: FftInput, bIn: FftInput, options?: FftConvolveOptions | ConvMode): Tensor {
  const who = 'fftconvolve';
  const a = asTensor(aIn);
  const b = asTensor(bIn);
  checkInputs(who, a, b);
  const mode = modeOf(options, who);
  return convolveOperands(who, operand(a), operand(b), mode, [a, b]);
}

/**
 * `scipy.signal.correlate(a, b, mode, method='fft')` for 1-D or 2-D real tensors: the convolution
 * of `a` with `b` flipped along every axis. 'same' is centred as scipy's `correlate` centres it
 * (for an even kernel this differs from `correlate2d`), and 'valid' needs one input at least as
 * large as the other along every axis, as `correlate` requires.
 */
export function fftcorrelate(aIn: FftInput, bIn: FftInput, options?: FftConvolveOptions | ConvMode): Tensor {
  const who = 'fftcorrelate';
  const a = asTensor(aIn);
  const b = asTensor(bIn);
  checkInputs(who, a, b);
  const mode = modeOf(options, who);
  // scipy's correlate goes through convolve, whose 'valid' check spans every axis.
  inputsSwapNeeded(mode, a.shape, b.shape, who);
  return convolveOperands(who, operand(a), reversed(operand(b)), mode, [a, b]);
}
